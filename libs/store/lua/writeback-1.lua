--[[
  Write back what happened to claimed tasks, each one atomic transition out of 'running':
  the journal entry it was resumed with, its trace records, and its new state. This file reads the batch
  and dispatches each op to its transition's entry (parts/wb-suspend, wb-complete, wb-fault, wb-cancel;
  wb-ahead commits a run-ahead step, wb-budget turns a step over a budget into a fault); wb-flush writes
  the sets, counters, indexes and batches once per call.

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
local p = KEYS[1]
local now = tonumber(ARGV[1])
-- a worker group's lease and active set: 'own:<group>', 'act:<group>' (own-1.lua)
local group = string.match(ARGV[2], '^g=([^|]+)|')
local sfx = group and (':' .. group) or ''
if redis.call('GET', p .. 'own' .. sfx) ~= ARGV[2] then return { -2 } end
local channel = ARGV[3]
local ops = cjson.decode(ARGV[4])
local maxSteps, maxTrace, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
-- the call's state, which the wb- parts use and wb_flush writes once at the end
local out = {}
local moved = {}      -- status -> tasks that left 'running' for it
local batches = {}    -- batch -> { status -> n, sum = elapsed, last = finish }
local unact, act, due, undue = {}, {}, {}, {}
local paused = 0
local ended = {}      -- { namespace, status, id, created at } of each task that ended here
--- @include "wb-read"
--- @include "wb-ahead"
--- @include "wb-budget"
--- @include "wb-journal"
--- @include "wb-wait-event"
--- @include "wb-suspend"
--- @include "wb-end"
--- @include "wb-complete"
--- @include "wb-fault"
--- @include "wb-cancel"
--- @include "wb-count"
--- @include "wb-flush"

-- one entry per transition (a kind the worker does not send ends as cancelled)
local entries = { [OK.suspend] = wb_suspend, [OK.complete] = wb_complete, [OK.fault] = wb_fault, [OK.cancel] = wb_cancel }

for i, op in ipairs(ops) do
  local tk = p .. 't:' .. op.id
  local c = wb_read(tk, op)
  local from = op.adv and 'suspended' or 'running'
  if not (op.adv and wb_ahead_due(op, c) or not op.adv and wb_claimed(op, c)) then
    out[i] = 0
  else
    local stored = wb_budget(i, op, tk, c)
    -- one write per task: its running time (suspended time, run ahead) is added to its total here
    local set, del = { F.seq, 0, F.lastAt, now }, {}
    if op.adv then wb_ahead(op, c, set)
    else set[5] = F.runningMs; set[6] = tonumber(c[H.writeback.runningMs] or 0) + now - tonumber(c[H.writeback.lastAt]) end
    local seq = wb_journal(op, tk)
    set[2] = seq
    if stored then for j = 1, #stored do set[6 + j] = stored[j] end end
    local st = (entries[op.o] or wb_cancel)(i, op, c, set, del)
    redis.call('HSET', tk, unpack(set))
    if #del > 0 then redis.call('HDEL', tk, unpack(del)) end
    wb_count(c[H.writeback.batch], from, st)
    if c[H.writeback.notify] then wb_notify(tk, op.id, seq, st) end
    out[i] = out[i] or 1
  end
end

wb_flush()
return out
