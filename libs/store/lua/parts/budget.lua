-- The budget a write-back step would pass, or nil: { name, limit, value, what } (TaskBudgets). `steps` is
-- the journal length after the step, `traced` the trace entries, `bytes` what the task stores.
local function over_budget(steps, traced, bytes, maxSteps, maxTrace, maxBytes)
  if steps > maxSteps then return { 'LIMIT_TASK_STEPS', maxSteps, steps, 'journal entries (steps resumed)' } end
  if traced > maxTrace then return { 'LIMIT_TRACE_ENTRIES', maxTrace, traced, 'trace entries' } end
  if bytes > maxBytes then return { 'LIMIT_TASK_BYTES', maxBytes, bytes, 'bytes stored' } end
  return nil
end

-- The error a task faults with over a budget (JSON text).
local function budget_error(over)
  return cjson.encode({ type = K.runtimeType, status = 500, title = 'Budget exceeded',
    detail = over[4] .. ': ' .. over[3] .. ' is over the budget of ' .. over[2] .. ' (' .. over[1] .. ')',
    budget = { name = over[1], limit = over[2], value = over[3] } })
end
