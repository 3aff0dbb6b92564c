--[[
  Write back what happened to claimed tasks, each one atomic transition out of 'running':
  the journal entry it was resumed with, its trace records, and its new state.

  An op with `adv` commits a step the worker ran ahead of time: a task suspended in a sleep due at `adv`
  (a sleep's result is known in advance: null, at its due time) goes straight from 'suspended' to its next
  state, without being claimed. It applies only if the task is still in that very sleep (same step, same
  due time, no deadline), not paused ('pz'), and the sleep is due; its journal entry gets its resume time (`t`) here.

  Budgets: a task whose journal would pass ARGV[5] entries, its trace ARGV[6] entries, or whose stored
  bytes (journal entries, trace entries, output, error) would pass ARGV[7], faults instead with a budget
  error naming the budget ('by' and 'rn' on the task hash count its bytes and trace entries).

  KEYS[1] partition prefix
  ARGV[1] now, ARGV[2] owner token, ARGV[3] notify channel, ARGV[5] max journal entries,
  ARGV[6] max trace entries, ARGV[7] max bytes, ARGV[8] retention ms (0: kept), ARGV[9] JSON { namespace: retention ms }
  overriding it, or '' (an ended task enters its partition's expiry set, see the end of this script), ARGV[4] JSON array of ops:
    { id, seq (journal length when claimed), adv? (ahead: the due time of the sleep it resumes),
      e? (journal entry, JSON text; with adv, without its "t"), rec? ([JSON text]), pt? (patched() decisions, JSON text), cv? (the coroutine version a task without one started on),
      pop? (the entry consumed the inbox's head value), ch? (the entry consumed children's results),
      (a task paused while it ran, 'pz', pauses at its suspension: it does not enter the due set)
      o: 's' suspend | 'c' complete | 'f' fault | 'x' cancelled by the coroutine,
      suspend: wk (effect kind), w (effect, JSON text), y? (yielded value, JSON text), due?, dl?,
               types? ([event types], with ns), hold? (stays active: the worker performs the effect now),
               cn?, cm? (a spawn's child count and wait mode, kept apart so a child's end reads no more)
      complete: out (JSON text); fault: err (JSON text) }
  Returns: per op 1 (applied), 2 (applied, and due again at once: a value or event was waiting), 3 (the task
           faulted instead, over a budget: the worker performs nothing for it), or 0 (skipped: the task is no longer this claim's: cancelled, or moved on),
           or { -2 } when the token does not own the partition.
]]
--- @include "chunked"
--- @include "index"
--- @include "outbox"
--- @include "budget"
--- @include "buffered-event"
--- @include "ahead"
local p = KEYS[1]
local now = tonumber(ARGV[1])
-- a worker group's lease and active set: 'own:<group>', 'act:<group>' (own-1.lua)
local group = string.match(ARGV[2], '^g=([^|]+)|')
local sfx = group and (':' .. group) or ''
if redis.call('GET', p .. 'own' .. sfx) ~= ARGV[2] then return { -2 } end
local channel = ARGV[3]
local ops = cjson.decode(ARGV[4])
local maxSteps, maxTrace, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local stored
local out = {}
local moved = {}      -- status -> tasks that left 'running' for it
local batches = {}    -- batch -> { status -> n, sum = elapsed, last = finish }
local unact, act, due, undue = {}, {}, {}, {}
local advanced = 0
local paused = 0
local ended = {}      -- { namespace, status, id, created at } of each task that ended here

for i, op in ipairs(ops) do
  local id = op.id
  local tk = p .. 't:' .. id
  -- one read per op, of the fields its kind of transition needs (an end, an event wait, or another wait);
  -- a field has the same index in the three layouts
  local c
  if op.o ~= OK.suspend then
    c = redis.call('HMGET', tk, H.writeback)
  elseif op.wk == 'waitForEvent' then
    c = redis.call('HMGET', tk, H.writebackEvent)
  else
    c = redis.call('HMGET', tk, H.writebackWait)
  end
  local by, rn, pz = c[H.writeback.bytes], c[H.writeback.traced], c[H.writeback.paused]
  local from = 'running'
  local ok = c[H.writeback.status] == 'running' and tonumber(c[H.writeback.seq]) == op.seq
  if op.adv then
    from = 'suspended'
    ok = c[H.writeback.status] == 'suspended' and tonumber(c[H.writeback.seq]) == op.seq and (c[H.writeback.waitKind] == 'sleep' or c[H.writeback.waitKind] == 'sleepUntil')
      and tonumber(c[H.writeback.due]) == op.adv and not c[H.writeback.deadline] and now >= op.adv and not pz
  end
  if ok then
    -- what this step adds, against the task's budgets; over one, the task faults instead
    local added, nrec = 0, 0
    if op.e then added = added + #op.e end
    if op.out then added = added + #op.out end
    if op.err then added = added + #op.err end
    if op.rec then
      nrec = #op.rec
      for _, r in ipairs(op.rec) do added = added + #r end
    end
    local steps = op.seq + (op.e and 1 or 0)
    local traced = tonumber(rn or 0) + nrec
    local bytes = tonumber(by or 0) + added
    local over = over_budget(steps, traced, bytes, maxSteps, maxTrace, maxBytes)
    if over then
      if op.o == 's' then
        -- the end of a task needs fields a suspension does not read
        local e = redis.call('HMGET', tk, H.writebackRest)
        for j = 1, H.writebackRest.size do c[H.writeback.size - H.writebackRest.size + j] = e[j] end
      end
      op.o, op.e, op.rec, op.pop, op.ch, op.hold = 'f', nil, nil, nil, nil, nil
      op.err = budget_error(over)
      added, nrec = #op.err, 0
      out[i] = 3
    end
    -- the running totals are kept only while the task goes on (an ended task is never checked again)
    stored = nil
    if op.o == 's' then
      stored = { 'by', tonumber(by or 0) + added }
      if nrec > 0 then stored[3] = 'rn'; stored[4] = tonumber(rn or 0) + nrec end
    end
  end
  if not ok then
    out[i] = 0
  else
    local b = c[H.writeback.batch]
    local seq = op.seq
    local extra = {}
    if op.adv then
      -- it was never claimed: it leaves the due set here, and its suspended time ends now
      undue[#undue + 1] = id
      advanced = advanced + 1
      if op.e then op.e = with_resume_time(op.e, now) end
      extra = { 'sm', tonumber(c[H.writeback.suspendedMs] or 0) + now - tonumber(c[H.writeback.lastAt]) }
    end
    if op.e then
      redis.call('RPUSH', p .. 'j:' .. id, op.e)
      seq = seq + 1
      if op.pop then
        redis.call('LPOP', p .. 'i:' .. id)
        redis.call('HINCRBY', tk, 'rx', 1)
      end
      if op.ch then redis.call('DEL', p .. 'ch:' .. id) end
    end
    if op.rec then
      chunked('RPUSH', p .. 'r:' .. id, op.rec)
    end
    if op.pt then redis.call('HSET', tk, 'pt', op.pt) end
    if op.cv then redis.call('HSET', tk, 'cv', op.cv) end
    local st
    -- one write per task: running time is added to its total here
    local set = { 'seq', seq, 'la', now }
    if op.adv then set[5] = extra[1]; set[6] = extra[2]
    else set[5] = 'rm'; set[6] = tonumber(c[H.writeback.runningMs] or 0) + now - tonumber(c[H.writeback.lastAt]) end
    if stored then for j = 1, #stored do set[6 + j] = stored[j] end end
    local del = {}
    if op.o == 's' then
      st = 'suspended'
      set[#set + 1] = 'st'; set[#set + 1] = st
      set[#set + 1] = 'wk'; set[#set + 1] = op.wk
      set[#set + 1] = 'w'; set[#set + 1] = op.w
      if op.y then set[#set + 1] = 'y'; set[#set + 1] = op.y end
      if op.cn then set[#set + 1] = 'cn'; set[#set + 1] = op.cn; set[#set + 1] = 'cm'; set[#set + 1] = op.cm end
      local resSet = false
      if op.dl then set[#set + 1] = 'dl'; set[#set + 1] = op.dl elseif c[H.writeback.deadline] then del[#del + 1] = 'dl' end
      local wake = op.due
      if op.hold then
        act[#act + 1] = now; act[#act + 1] = id
        if pz then
          -- paused while it ran: its effect is performed, and the result waits until it is resumed
          set[#set + 1] = 'pz'; set[#set + 1] = now
          paused = paused + 1
        end
      else
        if not op.adv then unact[#unact + 1] = id end
        if op.wk == 'receive' then
          if redis.call('LLEN', p .. 'i:' .. id) > 0 then wake = now end
        elseif op.wk == 'waitForEvent' then
          for _, ty in ipairs(op.types) do
            redis.call('SADD', p .. 'wt:' .. c[H.writeback.namespace] .. ':' .. ty, id)
          end
          -- the task receives every event published since it was created (kept for the buffer window),
          -- each once, in order: 'ec' is the publish time of the last event it received
          local since = c[H.writeback.eventCursor] or string.format('%.0f', tonumber(c[H.writeback.createdAt]) - 1)
          local best, bestText = buffered_event(p, c[H.writeback.namespace], op.types, since, now)
          if best then
            for _, ty in ipairs(op.types) do redis.call('SREM', p .. 'wt:' .. c[H.writeback.namespace] .. ':' .. ty, id) end
            -- a reference: the claim fetches the body ({"ev":id}); a buffer written before references holds the event
            local ref = string.match(best, '^%d+ (.*)$')
            set[#set + 1] = 'res'; set[#set + 1] = ref and ('{"ev":' .. cjson.encode(ref) .. '}') or ('{"r":' .. best .. '}')
            set[#set + 1] = 'ec'; set[#set + 1] = bestText
            resSet = true
            wake = now
          end
        end
        if wake then set[#set + 1] = 'due'; set[#set + 1] = wake elseif c[H.writeback.due] then del[#del + 1] = 'due' end
        if op.dl and (not wake or tonumber(op.dl) < tonumber(wake)) then wake = op.dl end
        if pz then
          -- paused while it ran: it pauses here, out of the due set, until resumed (pause-1.lua)
          set[#set + 1] = 'pz'; set[#set + 1] = now
          paused = paused + 1
        elseif wake then
          due[#due + 1] = wake; due[#due + 1] = id
          if wake == now then out[i] = 2 end
        end
      end
      -- the result this step consumed goes (unless a buffered event just became the next one)
      if c[H.writeback.result] and not resSet then del[#del + 1] = 'res' end
    else
      if not op.adv then unact[#unact + 1] = id end
      -- values sent but never received go with it (wk, w and due stay as the last wait: harmless once ended)
      if c[H.writeback.sent] then redis.call('DEL', p .. 'i:' .. id) end
      if c[H.writeback.result] then del[#del + 1] = 'res' end
      if c[H.writeback.deadline] then del[#del + 1] = 'dl' end
      if pz then del[#del + 1] = 'pz'; del[#del + 1] = 'pn' end
      local result
      if op.o == 'c' then
        st = 'completed'
        set[#set + 1] = 'out'; set[#set + 1] = op.out
        result = '"output":' .. op.out
      elseif op.o == 'f' then
        st = 'faulted'
        set[#set + 1] = 'err'; set[#set + 1] = op.err
        -- the entry of the step that failed was journaled: a retry takes it off (retry-1.lua)
        if op.e then set[#set + 1] = 'fe'; set[#set + 1] = 1 end
        result = '"error":' .. op.err
      else
        st = 'cancelled'
        result = '"output":null'
      end
      set[#set + 1] = 'st'; set[#set + 1] = st
      set[#set + 1] = 'fa'; set[#set + 1] = now
      ended[#ended + 1] = { c[H.writeback.namespace], st, id, c[H.writeback.createdAt] }
      if b then
        local bt = batches[b]
        if not bt then bt = { sum = 0 }; batches[b] = bt end
        bt.sum = bt.sum + now - tonumber(c[H.writeback.createdAt])
        bt.last = now
      end
      if c[H.writeback.parent] then
        redis.call('RPUSH', p .. 'ob', child_item(c[H.writeback.parent], c[H.writeback.parentSeq], c[H.writeback.parentIndex], id, st, result))
      end
      -- its concurrency slot goes to the next in line (slot-1.lua, by the owner: another slot)
      local slot = c[H.writeback.slot]
      if slot then redis.call('RPUSH', p .. 'ob', release_item(slot, id)) end
    end
    redis.call('HSET', tk, unpack(set))
    if #del > 0 then redis.call('HDEL', tk, unpack(del)) end
    if from ~= st then
      moved[st] = (moved[st] or 0) + 1
      moved[from .. '>'] = (moved[from .. '>'] or 0) + 1
      if b then
        local bt = batches[b]
        if not bt then bt = { sum = 0 }; batches[b] = bt end
        bt[st] = (bt[st] or 0) + 1
        bt[from .. '>'] = (bt[from .. '>'] or 0) + 1
      end
    end
    if c[H.writeback.notify] then
      -- a sender waits: tell it how many values the task has received; stop telling once all are
      local c = redis.call('HMGET', tk, 'rx', 'tx')
      local rx = tonumber(c[1] or 0)
      if st ~= 'suspended' or rx >= tonumber(c[2] or 0) then redis.call('HDEL', tk, 'n') end
      redis.call('PUBLISH', channel, id .. ' ' .. seq .. ' ' .. st .. ' ' .. rx)
    end
    out[i] = out[i] or 1
  end
end

-- set operations and counters once per call (advanced tasks leave the due set before new timers go in)
chunked('ZREM', p .. 'due', undue)
chunked('ZREM', p .. 'act' .. sfx, unact)
chunked('ZADD', p .. 'act' .. sfx, act)
chunked('ZADD', p .. 'due', due)
if paused > 0 then redis.call('HINCRBY', p .. 'cnt', 'paused', paused) end
-- moved['running>'] / moved['suspended>'] count what left a status; moved[st] what entered one
for key, n in pairs(moved) do
  if string.sub(key, -1) == '>' then redis.call('HINCRBY', p .. 'cnt', string.sub(key, 1, -2), -n)
  else redis.call('HINCRBY', p .. 'cnt', key, n) end
end
-- Retention and the list filters, once per call for the tasks that ended (the same in cancel-1.lua; undone
-- by retry-1.lua; expire-1.lua removes them): out of 'live', into their end status's index, and into the
-- expiry set at now + their namespace's retention (0: kept, not entered).
if #ended > 0 then
  local byNs = ARGV[9] and ARGV[9] ~= '' and cjson.decode(ARGV[9]) or {}
  local zrem, zadd, expiry = {}, {}, {}
  for _, e in ipairs(ended) do
    local member = index_member(e[4], e[3])
    local live, by = p .. 'ix:' .. e[1] .. ':live', p .. 'ix:' .. e[1] .. ':s:' .. e[2]
    zrem[live] = zrem[live] or {}; table.insert(zrem[live], member)
    zadd[by] = zadd[by] or {}; table.insert(zadd[by], 0); table.insert(zadd[by], member)
    local keep = retention(byNs, e[1], ARGV[8])
    if keep > 0 then expiry[#expiry + 1] = now + keep; expiry[#expiry + 1] = e[3] end
  end
  for key, list in pairs(zrem) do chunked('ZREM', key, list) end
  for key, list in pairs(zadd) do chunked('ZADD', key, list) end
  chunked('ZADD', p .. 'exp', expiry)
end
for b, bt in pairs(batches) do
  local bk = p .. 'bt:' .. b
  for key, n in pairs(bt) do
    if key ~= 'sum' and key ~= 'last' then
      if string.sub(key, -1) == '>' then redis.call('HINCRBY', bk, string.sub(key, 1, -2), -n)
      else redis.call('HINCRBY', bk, key, n) end
    end
  end
  if bt.sum > 0 then redis.call('HINCRBY', bk, 'sum', bt.sum) end
  if bt.last then
    local last = tonumber(redis.call('HGET', bk, 'last'))
    if not last or bt.last > last then redis.call('HSET', bk, 'last', bt.last) end
  end
end
return out
