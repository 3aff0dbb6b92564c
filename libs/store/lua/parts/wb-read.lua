-- Write-back (writeback-1.lua): one read per op, of the fields its kind of transition needs (an end, an
-- event wait, or another wait); a field has the same index in the three layouts (wire.ts).
local function wb_read(tk, op)
  if op.o ~= OK.suspend then return redis.call('HMGET', tk, H.writeback) end
  if op.wk == 'waitForEvent' then return redis.call('HMGET', tk, H.writebackEvent) end
  return redis.call('HMGET', tk, H.writebackWait)
end

-- Whether an op still holds its claim: the task is running at the step it was claimed at (otherwise it was
-- cancelled, or moved on, and the op is skipped).
local function wb_claimed(op, c)
  return c[H.writeback.status] == 'running' and tonumber(c[H.writeback.seq]) == op.seq
end
