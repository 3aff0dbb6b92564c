--[[
  Take or keep ownership of a partition. Taking it over recovers the previous owner's active tasks
  (claimed, running or performing an IO effect when it stopped): they are queued to run again now,
  from their last completed suspension (a paused one stays paused: the claim drops it).

  KEYS[1] partition prefix
  ARGV[1] owner token, ARGV[2] lease ms, ARGV[3] now, ARGV[4] 'take' | 'renew' | 'release'
  Returns: recovered task count (>= 0) when taken, -1 renewed/released, -2 owned by another.
]]
local p = KEYS[1]
local ok = p .. 'own'
local cur = redis.call('GET', ok)
local mode = ARGV[4]
if mode == 'release' then
  if cur == ARGV[1] then redis.call('DEL', ok) return -1 end
  return -2
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', ok, ARGV[2])
  return -1
end
if cur or mode ~= 'take' then return -2 end
redis.call('SET', ok, ARGV[1], 'PX', ARGV[2])
local act = redis.call('ZRANGE', p .. 'act', 0, -1)
local now = tonumber(ARGV[3])
for _, id in ipairs(act) do
  local tk = p .. 't:' .. id
  local st = redis.call('HGET', tk, 'st')
  if st == 'running' then
    -- claimed but never written back: it runs again from its last journal entry
    local f = redis.call('HMGET', tk, 'la', 'seq', 'wk', 'b', 'pz')
    local prev = 'suspended'
    -- never suspended (no wait written back): queued, also a rerun that starts with a journal (seq > 0)
    if not f[3] then prev = 'queued' end
    redis.call('HSET', tk, 'st', prev)
    if f[5] then
      -- paused while it ran: it is paused from here (pause-1.lua)
      redis.call('HSET', tk, 'pz', now)
      redis.call('HINCRBY', p .. 'cnt', 'paused', 1)
    end
    redis.call('HINCRBY', p .. 'cnt', 'running', -1)
    redis.call('HINCRBY', p .. 'cnt', prev, 1)
    if f[4] then
      redis.call('HINCRBY', p .. 'bt:' .. f[4], 'running', -1)
      redis.call('HINCRBY', p .. 'bt:' .. f[4], prev, 1)
    end
  end
  redis.call('ZADD', p .. 'due', now, id)
end
redis.call('DEL', p .. 'act')
-- every task the partition was running went back to the due set above: none runs now, whatever the
-- counter says (it is reconciled here, so a count lost in a crash cannot stay wrong)
redis.call('HSET', p .. 'cnt', 'running', 0)
return #act
