--[[
  Read or acknowledge a partition's outbox, fenced by the owner's token: a worker that lost the
  partition reads nothing and removes nothing. An acknowledgement removes the head items only if they
  are still exactly the ones that were read (their SHA-1), so two drains that overlap (a lease lost and
  taken again) can both apply an item (every item is idempotent) but never remove one unapplied.

  KEYS[1] partition prefix
  ARGV[1] owner token, ARGV[2] 'peek' | 'ack', ARGV[3] count, ARGV[4] (ack) SHA-1 of the items read, joined by "\n"
  Returns: peek: { 1, item... }; ack: { 1 } removed, { 0 } not removed (the head changed: read again);
           { -2 } when the token does not own the partition.
]]
local p = KEYS[1]
local group = string.match(ARGV[1], '^g=([^|]+)|')
if redis.call('GET', p .. 'own' .. (group and (':' .. group) or '')) ~= ARGV[1] then return { -2 } end
local n = tonumber(ARGV[3])
local items = redis.call('LRANGE', p .. 'ob', 0, n - 1)
if ARGV[2] == 'peek' then
  table.insert(items, 1, 1)
  return items
end
if #items ~= n or redis.sha1hex(table.concat(items, '\n')) ~= ARGV[4] then return { 0 } end
redis.call('LTRIM', p .. 'ob', n, -1)
return { 1 }
