-- Write-back: a step the worker ran ahead of a sleep due at `adv` (a sleep's result is known in advance:
-- null, at its due time) goes straight from 'suspended' to its next state, without being claimed. Uses
-- the write-back's state (writeback-1.lua: now, undue).

-- It applies only if the task is still in that very sleep (same step, same due time, no deadline), not
-- paused, and the sleep is due.
local function wb_ahead_due(op, c)
  local wk = c[H.writeback.waitKind]
  return c[H.writeback.status] == 'suspended' and tonumber(c[H.writeback.seq]) == op.seq
    and (wk == 'sleep' or wk == 'sleepUntil') and tonumber(c[H.writeback.due]) == op.adv
    and not c[H.writeback.deadline] and now >= op.adv and not c[H.writeback.paused]
end

-- Commit it: it leaves the due set here and its suspended time ends now (into `set`, the task's write);
-- its journal entry, sent without its resume time (the worker did not know it), gets `"t":<now>` as its
-- last member (text, so its values stay as the worker encoded them).
local function wb_ahead(op, c, set)
  undue[#undue + 1] = op.id
  if op.e then op.e = string.sub(op.e, 1, -2) .. ',"' .. J.resumedAt .. '":' .. now .. '}' end
  set[5] = F.suspendedMs
  set[6] = tonumber(c[H.writeback.suspendedMs] or 0) + now - tonumber(c[H.writeback.lastAt])
end
