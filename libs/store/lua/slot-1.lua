--[[
  Concurrency slots of one limit and key (e.g. one running task per customer), under a hash tag of their
  own (<prefix>:{cc:<ns>:<hash>}:), apart from the partitions: tasks of every partition share them, so
  they are never touched by a partition script. Both calls are idempotent per task id: holders are a
  set, the line is a sorted set in arrival order. A task's end releases its slot through its
  partition's outbox (an item written by the end transition itself), so no end path leaks one.

  KEYS[1] slot prefix
  ARGV[1] 'acquire' | 'release', ARGV[2] task id, ARGV[3] limit (acquire: kept with the slot)
  Returns: acquire: 1 holds a slot, 0 waits in line; release: the ids given a slot now (in line order).
]]
local s = KEYS[1]
local id = ARGV[2]
if ARGV[1] == 'acquire' then
  redis.call('SET', s .. 'l', ARGV[3])
  if redis.call('SISMEMBER', s .. 'h', id) == 1 then return 1 end
  if redis.call('SCARD', s .. 'h') < tonumber(ARGV[3]) and redis.call('ZCARD', s .. 'w') == 0 then
    redis.call('SADD', s .. 'h', id)
    return 1
  end
  if not redis.call('ZSCORE', s .. 'w', id) then redis.call('ZADD', s .. 'w', redis.call('INCR', s .. 'n'), id) end
  return 0
end
redis.call('SREM', s .. 'h', id)
redis.call('ZREM', s .. 'w', id)
local limit = tonumber(redis.call('GET', s .. 'l') or 1)
local given = {}
while redis.call('SCARD', s .. 'h') < limit do
  local head = redis.call('ZPOPMIN', s .. 'w')
  if not head[1] then break end
  redis.call('SADD', s .. 'h', head[1])
  given[#given + 1] = head[1]
end
return given
