-- Write-back: a completion ('c'): its output (JSON text) is stored and sent to a waiting parent.
local function wb_complete(i, op, c, set, del)
  set[#set + 1] = F.output; set[#set + 1] = op.out
  return wb_end(op, c, set, del, 'completed', '"output":' .. op.out)
end
