--[[
  Create tasks in one partition, queued to run now. Idempotent: a task whose id may already exist (derived
  from an idempotency key, or a child's id) is left alone if it does; fresh random ids skip that check.

  KEYS[1] partition prefix, e.g. "yf:{p3}:" (every key below shares its hash tag)
  ARGV[1] now (epoch ms)
  ARGV[2] JSON array of { id, ns, kind, name, in, def?, b?, par?, pseq?, pidx?, dp? (spawn depth), rt? (root),
          c? (check existence), sc? (the schedule that started it), rh? (hash of the request that created it, compared when an idempotency key is repeated),
          pr? (priority 1-100: started before tasks of lower priority; in the 'pq' set, not the due set),
          cc? (the prefix of its concurrency slot: it waits, out of the due set, until admit-1.lua lets it in),
          ro? (a rerun: the task it reruns), jr? ([journal entries, JSON text]: a rerun's journal, the prefix it replays),
          cv? (the coroutine version it runs, when not 1), pt? (patched() decisions, JSON text: a rerun's) }
  Returns: array of 1 (created) / 0 (existed) per task, in order.
  Set operations and counters are applied once per call.
]]
local p = KEYS[1]
local now = tonumber(ARGV[1])
local tasks = cjson.decode(ARGV[2])
local out = {}
local due = {}
local zsets = {}        -- key -> { 0, member, ... } (the indexes below, zero-scored: ordered by member)
local function index(key)
  local list = zsets[key]
  if not list then list = {}; zsets[key] = list end
  return list
end
local nsKeys = {}       -- namespace -> its index lists, and those by name
local batches = {}      -- batch -> count
local created = 0
-- newest first by member: inverted creation time, then id (an exact order for paging)
local stamp = string.format('%013d', 9999999999999 - now) .. ':'
for i, t in ipairs(tasks) do
  local tk = p .. 't:' .. t.id
  if t.c and redis.call('EXISTS', tk) == 1 then
    out[i] = 0
  else
    local f = { 'ns', t.ns, 'kind', t.kind, 'name', t.name, 'in', t['in'], 'st', 'queued', 'seq', 0, 'ca', now, 'la', now }
    if t.def then f[#f + 1] = 'def'; f[#f + 1] = t.def end
    if t.cv then f[#f + 1] = 'cv'; f[#f + 1] = t.cv end
    if t.pt then f[#f + 1] = 'pt'; f[#f + 1] = t.pt end
    if t.rh then f[#f + 1] = 'rh'; f[#f + 1] = t.rh end
    if t.sc then f[#f + 1] = 'sc'; f[#f + 1] = t.sc end
    if t.cc then f[#f + 1] = 'cc'; f[#f + 1] = t.cc; f[#f + 1] = 'cw'; f[#f + 1] = 1 end
    if t.ro then
      f[#f + 1] = 'ro'; f[#f + 1] = t.ro
      f[12] = #t.jr
      for j = 1, #t.jr, 5000 do redis.call('RPUSH', p .. 'j:' .. t.id, unpack(t.jr, j, math.min(j + 4999, #t.jr))) end
    end
    if t.par then
      f[#f + 1] = 'par'; f[#f + 1] = t.par
      f[#f + 1] = 'pseq'; f[#f + 1] = t.pseq
      f[#f + 1] = 'pidx'; f[#f + 1] = t.pidx
      f[#f + 1] = 'dp'; f[#f + 1] = t.dp
      f[#f + 1] = 'rt'; f[#f + 1] = t.rt
    end
    if t.b then
      f[#f + 1] = 'b'; f[#f + 1] = t.b
      batches[t.b] = (batches[t.b] or 0) + 1
    end
    if t.pr then f[#f + 1] = 'pr'; f[#f + 1] = t.pr end
    redis.call('HSET', tk, unpack(f))
    if t.pr then
      -- highest priority first, then oldest: (100 - priority) * 10^13 + now stays exact in a double
      if not t.cc then redis.call('ZADD', p .. 'pq', (100 - t.pr) * 10000000000000 + now, t.id) end
    elseif not t.cc then
      due[#due + 1] = now; due[#due + 1] = t.id
    end
    -- every task of the namespace, and the list filters' indexes (task-list.ts): by coroutine or
    -- definition (its '<ns>/<name>', any version), tasks not yet ended ('live', left at their end), and
    -- by id (prefix search). A call's tasks mostly share a namespace and a name: their keys are built once.
    local nk = nsKeys[t.ns]
    if not nk then
      nk = { idx = index(p .. 'idx:' .. t.ns), live = index(p .. 'ix:' .. t.ns .. ':live'), ids = index(p .. 'ids:' .. t.ns), named = {} }
      nsKeys[t.ns] = nk
    end
    local byName = nk.named[t.kind .. t.name]
    if not byName then
      local named = t.kind == 'c' and ('c:' .. t.name) or ('d:' .. (string.match(t.name, '^(.*)@[^@]*$') or t.name))
      byName = index(p .. 'ix:' .. t.ns .. ':' .. named)
      nk.named[t.kind .. t.name] = byName
    end
    local member = stamp .. t.id
    byName[#byName + 1] = 0; byName[#byName + 1] = member
    local list = nk.idx; list[#list + 1] = 0; list[#list + 1] = member
    list = nk.live; list[#list + 1] = 0; list[#list + 1] = member
    list = nk.ids; list[#list + 1] = 0; list[#list + 1] = t.id
    created = created + 1
    out[i] = 1
  end
end
for i = 1, #due, 7000 do redis.call('ZADD', p .. 'due', unpack(due, i, math.min(i + 6999, #due))) end
for key, list in pairs(zsets) do
  for i = 1, #list, 7000 do redis.call('ZADD', key, unpack(list, i, math.min(i + 6999, #list))) end
end
if created > 0 then redis.call('HINCRBY', p .. 'cnt', 'queued', created) end
for b, n in pairs(batches) do redis.call('HINCRBY', p .. 'bt:' .. b, 'queued', n) end
return out
