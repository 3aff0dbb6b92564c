--[[
  Publish a CloudEvent to one partition: wake every task of the namespace waiting for its type (or for
  any event: type '*'), and keep a reference to it in the partition's buffer (for the buffer window), so a
  task that is not yet waiting for it (queued, running, or suspended on something else) receives it at its
  next wait. Idempotent per event id. The body is kept once for the namespace, outside the partitions
  (buffer-1.lua); a reference is '<expires at> <event id>', scored by the publish time.

  KEYS[1] partition prefix
  ARGV[1] namespace, ARGV[2] event type, ARGV[3] event JSON (for the tasks waiting now), ARGV[4] event id, ARGV[5] now,
  ARGV[6] buffer ms, ARGV[7] buffer max events per type
  Returns: number of tasks woken (-1: this event id was already published here).
]]
local p = KEYS[1]
local ns, ty, ev, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[5])
if redis.call('SET', p .. 'evid:' .. ns .. ':' .. ARGV[4], 1, 'NX', 'PX', ARGV[6]) == false then return -1 end
-- referenced under its type and under '*' (for waits on any event)
local ref = string.format('%.0f', now + tonumber(ARGV[6])) .. ' ' .. ARGV[4]
for _, key in ipairs({ ty, '*' }) do
  local bk = p .. 'eb:' .. ns .. ':' .. key
  redis.call('ZADD', bk, now, ref)
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
      redis.call('HSET', tk, 'res', '{"r":' .. ev .. '}', 'due', now, 'ec', now)
      redis.call('ZADD', p .. 'due', now, id)
      woken = woken + 1
    else
      redis.call('SREM', wk, id)
    end
  end
end
return woken
