-- Write-back: cancelled by the coroutine itself ('x'): it ends as cancelled, with no output.
local function wb_cancel(i, op, c, set, del)
  return wb_end(op, c, set, del, 'cancelled', '"output":null')
end
