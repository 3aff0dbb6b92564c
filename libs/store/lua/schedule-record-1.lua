--[[
  Record one fire of a schedule, once: its task started, or its skip. A repeat (a worker that performed the
  fire again after a crash) finds its member in the seen set and changes nothing.

  KEYS[1] the schedule's prefix, e.g. "yf:{s:acme:nightly}:" (h hash, f fire records, t task ids, s seen)
  ARGV[1] member that makes the fire unique ('t:<task id>' or 'k:<due>:<reason>')
  ARGV[2] its due time (epoch ms, the score)
  ARGV[3] the record (JSON text)
  ARGV[4] the started task's id, or ''
  ARGV[5] records kept (the newest)
  Returns 1 recorded, 0 recorded before, -1 no such schedule.
]]
local p = KEYS[1]
if redis.call('EXISTS', p .. 'h') == 0 then return -1 end
local max = tonumber(ARGV[5])
if redis.call('ZADD', p .. 's', 'NX', ARGV[2], ARGV[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYRANK', p .. 's', 0, -(2 * max) - 1)
redis.call('LPUSH', p .. 'f', ARGV[3])
redis.call('LTRIM', p .. 'f', 0, max - 1)
redis.call('HINCRBY', p .. 'h', 'nf', 1)
if ARGV[4] ~= '' then
  redis.call('ZADD', p .. 't', ARGV[2], ARGV[4])
  redis.call('ZREMRANGEBYRANK', p .. 't', 0, -max - 1)
  redis.call('HSET', p .. 'h', 'last', ARGV[4])
  redis.call('HINCRBY', p .. 'h', 'fired', 1)
end
return 1
