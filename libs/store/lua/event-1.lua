--[[
  Publish a CloudEvent to one partition: wake every task of the namespace waiting for its type (or for
  any event: type '*'), and keep a reference to it in the partition's buffer (for the buffer window), so a
  task that is not yet waiting for it (queued, running, or suspended on something else) receives it at its
  next wait. Idempotent per event id. The body is kept once for the namespace, outside the partitions
  (buffer-1.lua); a reference is '<expires at> <event id>', scored by the publish time (unique per
  partition and namespace: see below).

  KEYS[1] partition prefix
  ARGV[1] namespace, ARGV[2] event type, ARGV[3] event JSON (for the tasks waiting now), ARGV[4] event id, ARGV[5] now,
  ARGV[6] buffer ms, ARGV[7] buffer max events per type
  Returns: number of tasks woken (-1: this event id was already published here).
]]
local p = KEYS[1]
local ns, ty, ev, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[5])
if redis.call('SET', p .. 'evid:' .. ns .. ':' .. ARGV[4], 1, 'NX', 'PX', ARGV[6]) == false then return -1 end
-- its place in the buffers: the publish time, made unique per partition and namespace (a thousandth of a
-- millisecond after the last one at the latest), since a task's cursor ('ec') passes every event up to the
-- last it received: two events of one millisecond must not share a score, or the second would be skipped.
-- Scores are written as text with three decimals (Lua prints numbers with 14 digits only)
local sk = p .. 'es:' .. ns
local last = tonumber(redis.call('GET', sk))
local score = now
if last and last >= score then score = last + 0.001 end
local at = string.format('%.3f', score)
redis.call('SET', sk, at, 'PX', ARGV[6])
-- referenced under its type and under '*' (for waits on any event), with one score in both
local ref = string.format('%.0f', now + tonumber(ARGV[6])) .. ' ' .. ARGV[4]
for _, key in ipairs({ ty, '*' }) do
  local bk = p .. 'eb:' .. ns .. ':' .. key
  redis.call('ZADD', bk, at, ref)
  redis.call('ZREMRANGEBYSCORE', bk, '-inf', now - tonumber(ARGV[6]))
  local excess = redis.call('ZCARD', bk) - tonumber(ARGV[7])
  if excess > 0 then redis.call('ZREMRANGEBYRANK', bk, 0, excess - 1) end
  redis.call('PEXPIRE', bk, ARGV[6])
end
local woken = 0
for _, key in ipairs({ ty, '*' }) do
  local wk = p .. 'wt:' .. ns .. ':' .. key
  local ids = redis.call('SMEMBERS', wk)
  for _, id in ipairs(ids) do
    local tk = p .. 't:' .. id
    local f = redis.call('HMGET', tk, 'st', 'wk', 'w', 'res')
    if f[1] == 'suspended' and f[2] == 'waitForEvent' and not f[4] then
      local w = cjson.decode(f[3])
      local types = w.type
      if type(types) == 'string' then types = { types } end
      for _, t in ipairs(types) do redis.call('SREM', p .. 'wt:' .. ns .. ':' .. t, id) end
      redis.call('HSET', tk, 'res', '{"r":' .. ev .. '}', 'due', now, 'ec', at)
      redis.call('ZADD', p .. 'due', now, id)
      woken = woken + 1
    else
      redis.call('SREM', wk, id)
    end
  end
end
return woken
