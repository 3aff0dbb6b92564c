--[[
  Pause or resume a task. A paused task ('pz' on its hash: when its pause began) leaves the due set and
  the claim drops it if anything puts it back there (a value sent, an event, an IO result, a take-over),
  so nothing resumes it; what arrives is kept (the inbox, 'res'). A task running at the pause is marked
  and pauses at its next suspension (the write-back). Resume puts it back in the due set: at once when
  something waits for it (a result, a value, a timer already due), else at its timer or deadline.
  Time paused is kept apart ('pm'), not counted as queued or suspended.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] now, ARGV[3] namespace, ARGV[4] 'pause' | 'resume', ARGV[5] note ('' for none)
  Returns: { code, status, wake? } code 1 done (resume: wake is when it is due again, -1 when it waits on), 0 the task ended (status says how), -1 no such task,
           -4 pause of a task already paused / resume of a task not paused (status 'paused' or its status).
]]
local p = KEYS[1]
local id = ARGV[1]
local now = tonumber(ARGV[2])
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, 'st', 'ns', 'pz', 'wk', 'res', 'due', 'dl', 'cw', 'pr', 'ca')
if not f[1] or f[2] ~= ARGV[3] then return { -1 } end
local st, pz = f[1], f[3]
-- in an active set: the default group's, or another worker group's (own-1.lua)
local function performing()
  if redis.call('ZSCORE', p .. 'act', id) then return true end
  for _, g in ipairs(redis.call('SMEMBERS', p .. 'grps')) do
    if redis.call('ZSCORE', p .. 'act:' .. g, id) then return true end
  end
  return false
end
if st == 'completed' or st == 'faulted' or st == 'cancelled' then return { 0, st } end
-- paused in effect: marked and not running (a running task pauses at its next suspension)
local effective = pz and st ~= 'running'
if ARGV[4] == 'pause' then
  if pz then return { -4, effective and 'paused' or 'pausing' } end
  redis.call('HSET', tk, 'pz', now)
  if ARGV[5] ~= '' then redis.call('HSET', tk, 'pn', ARGV[5]) else redis.call('HDEL', tk, 'pn') end
  if st ~= 'running' then
    redis.call('ZREM', p .. 'due', id)
    redis.call('ZREM', p .. 'pq', id) -- a queued task with a priority goes back there on resume
    redis.call('HINCRBY', p .. 'cnt', 'paused', 1)
  end
  return { 1, st }
end
if not pz then return { -4, st } end
redis.call('HDEL', tk, 'pz', 'pn')
if st == 'running' then return { 1, st } end
redis.call('HINCRBY', p .. 'cnt', 'paused', -1)
local span = now - tonumber(pz)
redis.call('HINCRBY', tk, 'pm', span)
-- the claim adds the time since 'la' as queued or suspended: the paused part is taken off here
redis.call('HINCRBY', tk, st == 'queued' and 'qm' or 'sm', 0 - span) -- not -span: -0 is no integer to Redis
local wake
if f[8] then
  wake = nil -- still waiting for a concurrency slot: admit-1.lua queues it
elseif st == 'queued' then
  wake = now
elseif performing() then
  wake = nil -- its IO effect is being performed: the result queues it
else
  local wk, due, dl = f[4], tonumber(f[6]), tonumber(f[7])
  if f[5] or (wk == 'receive' and redis.call('LLEN', p .. 'i:' .. id) > 0) then
    wake = now
  elseif wk == 'sleep' or wk == 'sleepUntil' or wk == 'waitForEvent' then
    wake = due
    if dl and (not wake or dl < wake) then wake = dl end
  elseif wk == 'receive' then
    wake = dl
  else
    -- an IO effect or spawn without its result (e.g. re-queued by a take-over while paused): performed
    -- again, which is idempotent
    wake = now
  end
  if wake and wake < now then wake = now end
end
if wake and st == 'queued' and f[9] and not f[8] then
  -- not started yet, with a priority: back in line where it was (priority, then submission time)
  redis.call('ZADD', p .. 'pq', (100 - tonumber(f[9])) * 10000000000000 + tonumber(f[10]), id)
elseif wake then
  redis.call('ZADD', p .. 'due', wake, id)
end
return { 1, st, wake or -1 }
