-- Write-back: a fault ('f', or a step over a budget: wb-budget): its error (JSON text) is stored and sent
-- to a waiting parent. The entry of the step that failed was journaled: a retry takes it off ('fe',
-- retry-1.lua).
local function wb_fault(i, op, c, set, del)
  set[#set + 1] = F.error; set[#set + 1] = op.err
  if op.e then set[#set + 1] = F.faultEntry; set[#set + 1] = 1 end
  return wb_end(op, c, set, del, 'faulted', '"error":' .. op.err)
end
