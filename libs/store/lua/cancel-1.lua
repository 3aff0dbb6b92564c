--[[
  Cancel a task (the seed's close()): it ends as 'cancelled', its timers, waits and buffered values
  removed. A running task's write-back is then ignored. Cancel closes the coroutine (a 'close' outbox
  item: its finally blocks run); terminate (ARGV[5] '1') ends it the same way, marked 'tm', without
  closing it, and terminates its children.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] now, ARGV[3] namespace ('' for any), ARGV[4] notify channel, ARGV[5] '1' to terminate,
ARGV[6] retention ms (0: kept), ARGV[7] JSON { namespace: retention ms } overriding it, or ''
  Returns: { code, status } code 1 cancelled, 0 already ended (status says how), -1 no such task.
]]
--- @include "counters"
--- @include "index"
--- @include "outbox"
local p = KEYS[1]
local id = ARGV[1]
local now = tonumber(ARGV[2])
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, F.status, F.namespace, F.wait, F.waitKind, F.batch, F.lastAt, F.parent, F.parentSeq, F.parentIndex, F.createdAt, F.paused, F.slot)
if not f[1] or (ARGV[3] ~= '' and f[2] ~= ARGV[3]) then return { -1 } end
local st = f[1]
if st == 'completed' or st == 'faulted' or st == 'cancelled' then return { 0, st } end
redis.call('ZREM', p .. 'due', id)
redis.call('ZREM', p .. 'pq', id)
redis.call('ZREM', p .. 'act', id)
for _, g in ipairs(redis.call('SMEMBERS', p .. 'grps')) do redis.call('ZREM', p .. 'act:' .. g, id) end
redis.call('DEL', p .. 'i:' .. id)
if f[4] == 'waitForEvent' and f[3] then
  local w = cjson.decode(f[3])
  local types = w.type
  if type(types) == 'string' then types = { types } end
  for _, ty in ipairs(types) do redis.call('SREM', p .. 'wt:' .. f[2] .. ':' .. ty, id) end
end
local terminate = ARGV[5] == '1'
local spent = now - tonumber(f[6])
if f[11] and st ~= 'running' then
  -- paused: the paused part is its own total
  local span = now - tonumber(f[11])
  spent = spent - span
  redis.call('HINCRBY', tk, 'pm', span)
  redis.call('HINCRBY', p .. 'cnt', 'paused', -1)
end
if st == 'queued' then redis.call('HINCRBY', tk, 'qm', spent)
elseif st == 'running' then redis.call('HINCRBY', tk, 'rm', spent)
else redis.call('HINCRBY', tk, 'sm', spent) end
redis.call('HSET', tk, 'st', 'cancelled', 'fa', now, 'la', now)
redis.call('HDEL', tk, 'res', 'due', 'dl', 'pz', 'pn')
if terminate then redis.call('HSET', tk, 'tm', 1) end
move_count(p, f[5], st, 'cancelled', 1)
-- retention and the list filters, as at the end of writeback-1.lua: out of 'live', into the cancelled
-- index, and into the expiry set at now + the namespace's retention (0: kept)
local member = index_member(f[10], id)
redis.call('ZREM', p .. 'ix:' .. f[2] .. ':live', member)
redis.call('ZADD', p .. 'ix:' .. f[2] .. ':s:cancelled', 0, member)
local keep = retention(ARGV[7] and ARGV[7] ~= '' and cjson.decode(ARGV[7]) or nil, f[2], ARGV[6])
if keep > 0 then redis.call('ZADD', p .. 'exp', now + keep, id) end
if f[5] then batch_ended(p, f[5], now, now - tonumber(f[10])) end
if f[7] then redis.call('RPUSH', p .. 'ob', child_item(f[7], f[8], f[9], id, 'cancelled', '"output":null')) end
-- children of a spawn are cancelled with their parent
if f[4] == 'spawn' and f[3] then
  local c = redis.call('HMGET', tk, 'seq', 'cn')
  local count = tonumber(c[2])
  if not count then count = #cjson.decode(f[3]).children end
  redis.call('RPUSH', p .. 'ob', '{"kind":"cancel-children","parent":"' .. id .. '","seq":' .. c[1] ..
    ',"count":' .. count .. (terminate and ',"terminate":true' or '') .. '}')
end
redis.call('DEL', p .. 'ch:' .. id)
-- its concurrency slot (or its place in line) goes (slot-1.lua, by the owner)
if f[12] then
  redis.call('HDEL', tk, 'cw')
  redis.call('RPUSH', p .. 'ob', release_item(f[12], id))
end
-- its owner closes the coroutine (the seed's close(): finally blocks run, the trace records it)
if terminate then redis.call('HSET', tk, 'cl', 0)
elseif st ~= 'queued' then redis.call('RPUSH', p .. 'ob', '{"kind":"close","id":"' .. id .. '"}') else redis.call('HSET', tk, 'cl', 1) end
redis.call('HDEL', tk, 'n')
redis.call('PUBLISH', ARGV[4], id .. ' -1 cancelled')
return { 1, st }
