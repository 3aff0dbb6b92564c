-- Write-back: what a step adds, against the task's budgets (ARGV[5] journal entries, ARGV[6] trace
-- entries, ARGV[7] bytes: parts/budget.lua). Over one, the op becomes a fault with the budget error and
-- out[i] is 3 (the worker performs nothing for it); a suspension then reads the fields an end needs.
-- Returns the running totals to write, kept only while the task goes on (a suspension), or nil.
local function wb_budget(i, op, tk, c)
  local by, rn = c[H.writeback.bytes], c[H.writeback.traced]
  local added, nrec = 0, 0
  if op.e then added = added + #op.e end
  if op.out then added = added + #op.out end
  if op.err then added = added + #op.err end
  if op.rec then
    nrec = #op.rec
    for _, r in ipairs(op.rec) do added = added + #r end
  end
  local steps = op.seq + (op.e and 1 or 0)
  local over = over_budget(steps, tonumber(rn or 0) + nrec, tonumber(by or 0) + added, maxSteps, maxTrace, maxBytes)
  if over then
    if op.o == OK.suspend then
      local e = redis.call('HMGET', tk, H.writebackRest)
      for j = 1, H.writebackRest.size do c[H.writeback.size - H.writebackRest.size + j] = e[j] end
    end
    op.o, op.e, op.rec, op.pop, op.ch, op.hold = OK.fault, nil, nil, nil, nil, nil
    op.err = budget_error(over)
    out[i] = 3
    return nil
  end
  if op.o ~= OK.suspend then return nil end
  local stored = { F.bytes, tonumber(by or 0) + added }
  if nrec > 0 then stored[3] = F.traced; stored[4] = tonumber(rn or 0) + nrec end
  return stored
end
