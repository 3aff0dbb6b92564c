--[[
  Claim due tasks of a partition for the worker that owns it: each leaves the due set for the active
  set, becomes 'running', and is returned with what to resume it with.

  Routing (ARCHITECTURE.md, "Worker groups"): a worker group's token starts 'g=<group>|' and its lease and
  active set are 'own:<group>', 'act:<group>' (the default group's: 'own', 'act'). ARGV[4] lists the
  coroutines the worker runs (comma-separated; '' for every one): a due task of another coroutine is not
  claimed but parked in 'dq:<name>' (the partition's 'dqs' set names the coroutines with parked tasks),
  where a worker that runs it claims it. Workflow definitions run anywhere. Without parked tasks the
  routing costs one SMEMBERS per call.

  KEYS[1] partition prefix
  ARGV[1] now, ARGV[2] max tasks, ARGV[3] owner token, ARGV[4] coroutines run ('' for all)
  Returns: { nextDue|-1, parked (tasks parked by this call), then per task: id, kind, name, def, in, seq, wk, w, resolution, due, la, sa, ca, ns,
             cv (coroutine version, '' when none is recorded), pt (patched() decisions, JSON text, or '') }
  (ca: when its clock started: its creation, or its admission when it waited for a concurrency slot, 'ad')
           or { -2 } when the token does not own the partition.
  resolution: 'start' (fresh task), 'perform' (an IO effect still to perform) or a JSON journal result
  {"r":...} / {"e":...}, or {"ev":id}: a buffered event, whose body the caller fetches (TaskStore.claim).
  Tasks submitted with a priority wait in their own set ('pq', scored so the highest priority, then the
  oldest, comes first) and are claimed before the due set; with no priority in use the set does not exist.
  A paused task ('pz'), or one waiting for a concurrency slot ('cw'), is dropped from the due set and not claimed (pause-1.lua puts it back on resume).
  A value sent in stays at the head of the task's inbox until the write-back pops it.
  Set operations and counters are applied once per call, not once per task.
]]
--- @include "chunked"
local p = KEYS[1]
local now = tonumber(ARGV[1])
local token = ARGV[3]
local group = string.match(token, '^g=([^|]+)|')
local sfx = group and (':' .. group) or ''
if redis.call('GET', p .. 'own' .. sfx) ~= token then return { -2 } end
local serves = nil
if ARGV[4] and ARGV[4] ~= '' then
  serves = {}
  for name in string.gmatch(ARGV[4], '[^,]+') do serves[name] = true end
end
-- coroutines with parked tasks in this partition; those this worker runs are claimed from their own set
local parkedNames = {}
local mine = {}
for _, name in ipairs(redis.call('SMEMBERS', p .. 'dqs')) do
  parkedNames[name] = true
  if not serves or serves[name] then mine[#mine + 1] = name end
end

local TIMEOUT = '{"e":{"type":"' .. K.timeoutType .. '","status":408,"title":"Timeout","detail":"the wait passed its deadline"}}'
local max = tonumber(ARGV[2])
local ids = {}
if redis.call('EXISTS', p .. 'pq') == 1 then
  ids = redis.call('ZRANGE', p .. 'pq', 0, max - 1)
  redis.call('ZREMRANGEBYRANK', p .. 'pq', 0, #ids - 1)
end
if #ids < max then
  local more = redis.call('ZRANGEBYSCORE', p .. 'due', '-inf', now, 'LIMIT', 0, max - #ids)
  -- the claimed ids are exactly the lowest ranks of the due set
  if #more > 0 then redis.call('ZREMRANGEBYRANK', p .. 'due', 0, #more - 1) end
  for _, id in ipairs(more) do ids[#ids + 1] = id end
end
for _, name in ipairs(mine) do
  if #ids >= max then break end
  local dq = p .. 'dq:' .. name
  local more = redis.call('ZRANGEBYSCORE', dq, '-inf', now, 'LIMIT', 0, max - #ids)
  if #more > 0 then redis.call('ZREMRANGEBYRANK', dq, 0, #more - 1) end
  for _, id in ipairs(more) do ids[#ids + 1] = id end
  if redis.call('EXISTS', dq) == 0 then redis.call('SREM', p .. 'dqs', name) end
end
local out = { -1, 0 }
local parked = 0
local active = {}
local moved = {}      -- status -> tasks that left it for 'running'
local batches = {}    -- batch -> { status -> n }, first start
for _, id in ipairs(ids) do
  local tk = p .. 't:' .. id
  local f = redis.call('HMGET', tk, H.claim)
  local st, wk, res, dl = f[H.claim.status], f[H.claim.waitKind], f[H.claim.result], tonumber(f[H.claim.deadline])
  local resolution = false
  if serves and f[H.claim.kind] == 'c' and not serves[f[H.claim.name]] and (st == 'queued' or st == 'suspended') and not (f[H.claim.paused] or f[H.claim.slotWait]) then
    -- not this worker's coroutine: parked for a worker that runs it
    redis.call('ZADD', p .. 'dq:' .. f[H.claim.name], now, id)
    if not parkedNames[f[H.claim.name]] then
      redis.call('SADD', p .. 'dqs', f[H.claim.name])
      parkedNames[f[H.claim.name]] = true
    end
    parked = parked + 1
  elseif f[H.claim.paused] or f[H.claim.slotWait] then
    resolution = false
  elseif st == 'queued' then
    resolution = 'start'
  elseif st == 'suspended' then
    if wk == 'sleep' or wk == 'sleepUntil' then
      -- woken by its deadline before its own end: the wait timed out
      local due = tonumber(f[H.claim.due])
      if dl and now >= dl and (not due or dl < due) then resolution = TIMEOUT else resolution = '{"r":null}' end
    elseif wk == 'receive' then
      local v = redis.call('LINDEX', p .. 'i:' .. id, 0)
      if v then resolution = '{"' .. J.result .. '":' .. v .. '}'
      elseif dl and now >= dl then resolution = TIMEOUT end
    elseif res then
      resolution = res
    elseif dl and now >= dl then
      resolution = TIMEOUT
    elseif wk == 'waitForEvent' then
      local due = tonumber(f[H.claim.due])
      if due and now >= due then resolution = '{"r":null}' end
    else
      resolution = 'perform'
    end
  end
  if resolution and f[H.claim.kind] == 'c' and parkedNames[f[H.claim.name]] then
    -- claimed from one of its sets: it leaves the others, so no stale entry wakes it later
    redis.call('ZREM', p .. 'dq:' .. f[H.claim.name], id)
    redis.call('ZREM', p .. 'due', id)
    redis.call('ZREM', p .. 'pq', id)
  end
  if resolution then
    active[#active + 1] = now
    active[#active + 1] = id
  end
  if resolution and resolution ~= 'perform' then
    -- the resolution stays stored until the write-back consumes it, so a crash in between loses nothing
    -- one write per task: time spent queued or suspended is added to its total here
    local spent = now - tonumber(f[H.claim.lastAt])
    if st == 'queued' and not f[H.claim.startedAt] then
      redis.call('HSET', tk, F.status, 'running', F.lastAt, now, F.startedAt, now, F.queuedMs, spent)
      f[H.claim.startedAt] = tostring(now)
    elseif st == 'queued' then
      -- re-queued by a take-over before its first write-back
      redis.call('HSET', tk, F.status, 'running', F.lastAt, now, F.queuedMs, tonumber(f[H.claim.queuedMs] or 0) + spent)
    else
      redis.call('HSET', tk, F.status, 'running', F.lastAt, now, F.suspendedMs, tonumber(f[H.claim.suspendedMs] or 0) + spent)
    end
    moved[st] = (moved[st] or 0) + 1
    if f[H.claim.batch] then
      local b = batches[f[H.claim.batch]]
      if not b then b = {}; batches[f[H.claim.batch]] = b end
      b[st] = (b[st] or 0) + 1
      if st == 'queued' then b.first = true end
    end
  end
  -- 'perform': still suspended; the owner performs the effect and resolves it (resolve-1)
  if resolution then
    local n = #out
    out[n + R.claim.id] = id; out[n + R.claim.kind] = f[H.claim.kind]; out[n + R.claim.name] = f[H.claim.name]
    out[n + R.claim.definition] = f[H.claim.definition] or ''; out[n + R.claim.input] = f[H.claim.input]
    out[n + R.claim.seq] = f[H.claim.seq]; out[n + R.claim.waitKind] = wk or ''; out[n + R.claim.wait] = f[H.claim.wait] or ''
    out[n + R.claim.resolution] = resolution; out[n + R.claim.due] = f[H.claim.due] or ''
    out[n + R.claim.lastAt] = f[H.claim.lastAt]; out[n + R.claim.startedAt] = f[H.claim.startedAt] or ''
    out[n + R.claim.createdAt] = f[H.claim.admittedAt] or f[H.claim.createdAt]; out[n + R.claim.namespace] = f[H.claim.namespace]
    out[n + R.claim.version] = f[H.claim.version] or ''; out[n + R.claim.patches] = f[H.claim.patches] or ''
  end
end
chunked('ZADD', p .. 'act' .. sfx, active)
local total = 0
for st, n in pairs(moved) do
  redis.call('HINCRBY', p .. 'cnt', st, -n)
  total = total + n
end
if total > 0 then redis.call('HINCRBY', p .. 'cnt', 'running', total) end
for b, counts in pairs(batches) do
  local bk = p .. 'bt:' .. b
  local sum = 0
  for st, n in pairs(counts) do
    if st ~= 'first' then
      redis.call('HINCRBY', bk, st, -n)
      sum = sum + n
    end
  end
  redis.call('HINCRBY', bk, 'running', sum)
  if counts.first then
    local first = tonumber(redis.call('HGET', bk, 'first'))
    if not first or now < first then redis.call('HSET', bk, 'first', now) end
  end
end
local nxt = redis.call('ZRANGE', p .. 'due', 0, 0, 'WITHSCORES')
if nxt[2] then out[1] = tonumber(nxt[2]) end
for _, name in ipairs(mine) do
  local q = redis.call('ZRANGE', p .. 'dq:' .. name, 0, 0, 'WITHSCORES')
  if q[2] and (out[1] == -1 or tonumber(q[2]) < out[1]) then out[1] = tonumber(q[2]) end
end
out[2] = parked
if redis.call('EXISTS', p .. 'pq') == 1 then out[1] = now end
return out
