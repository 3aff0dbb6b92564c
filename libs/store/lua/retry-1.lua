--[[
  Retry a faulted task from the step that failed: the journal before it is kept (the coroutine is replayed
  from it) and the failing step runs again, on the effect the task had yielded ('wk', 'w'). 'fe' on the
  hash says the fault journaled that step's entry: it is taken off (ARGV[5]), and the caller (which read
  it: TaskStore.retry) says what to resume with: a result sent in again (ARGV[6]), or a value put back at
  the head of the inbox (ARGV[7]); neither: an IO effect is performed again, a sleep ends at once, a wait
  for a value or an event waits again. A task that failed before its first suspension starts again. A
  child task is not retried alone (its parent already received its end). A task under a concurrency limit
  ('cc') released its slot as it faulted: it waits out of the due set ('cw') until the caller has
  acquired one again (slot-1.lua, then admit-1.lua).

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] now, ARGV[3] namespace, ARGV[4] journal length the caller read,
  ARGV[5] '1' to take the last journal entry off, ARGV[6] result JSON or '', ARGV[7] inbox value JSON or ''
  Returns: { code, status, slot? } code 1 retried (status: the one it is in now; slot: its slot prefix), 0 not faulted (its status),
           -1 no such task, -5 a child task, -6 the task changed meanwhile (read again).
]]
--- @include "counters"
--- @include "index"
local p = KEYS[1]
local id = ARGV[1]
local now = tonumber(ARGV[2])
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, F.status, F.namespace, F.seq, F.waitKind, F.wait, F.faultEntry, F.batch, F.parent, F.slot, F.createdAt)
if not f[1] or f[2] ~= ARGV[3] then return { -1 } end
if f[1] ~= 'faulted' then return { 0, f[1] } end
if f[8] then return { -5, f[1] } end
local seq = tonumber(f[3])
if seq ~= tonumber(ARGV[4]) or (ARGV[5] == '1') ~= (f[6] ~= false) then return { -6, f[1] } end
local wk = f[4]
local res = ARGV[6] ~= '' and ARGV[6] or nil
if ARGV[5] == '1' then
  redis.call('RPOP', p .. 'j:' .. id)
  seq = seq - 1
end
if ARGV[7] ~= '' then
  redis.call('LPUSH', p .. 'i:' .. id, ARGV[7])
  redis.call('HINCRBY', tk, 'rx', -1)
end
local st = 'suspended'
if not wk then st = 'queued' end
-- a wait that only an arrival ends waits on; anything else is due at once
local waits = f[9] or st == 'suspended' and not res and (wk == 'waitForEvent' or (wk == 'receive' and redis.call('LLEN', p .. 'i:' .. id) == 0))
if waits and wk == 'waitForEvent' then
  local types = cjson.decode(f[5]).type
  if type(types) == 'string' then types = { types } end
  for _, ty in ipairs(types) do redis.call('SADD', p .. 'wt:' .. f[2] .. ':' .. ty, id) end
end
redis.call('HDEL', tk, 'err', 'fa', 'fe', 'res', 'dl', 'due')
local set = { 'st', st, 'seq', seq, 'la', now }
if res then set[#set + 1] = 'res'; set[#set + 1] = res end
if not waits then set[#set + 1] = 'due'; set[#set + 1] = now end
if f[9] then set[#set + 1] = 'cw'; set[#set + 1] = 1 end
redis.call('HSET', tk, unpack(set))
redis.call('HINCRBY', tk, 'ry', 1)
if not waits then redis.call('ZADD', p .. 'due', now, id) end
move_count(p, f[7], 'faulted', st, 1)
-- it lives again: out of the faulted index and the expiry set, back in 'live' (see writeback-1.lua's end)
local member = index_member(f[10], id)
redis.call('ZREM', p .. 'ix:' .. f[2] .. ':s:faulted', member)
redis.call('ZADD', p .. 'ix:' .. f[2] .. ':live', 0, member)
redis.call('ZREM', p .. 'exp', id)
return { 1, st, f[9] or nil }
