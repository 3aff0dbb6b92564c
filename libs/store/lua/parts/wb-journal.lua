-- Write-back: the step's journal entry (with the inbox value or the children's results it consumed), its
-- trace records, its patched() decisions and version. Returns the journal length after it.
local function wb_journal(op, tk)
  local id, seq = op.id, op.seq
  if op.e then
    redis.call('RPUSH', p .. 'j:' .. id, op.e)
    seq = seq + 1
    if op.pop then
      redis.call('LPOP', p .. 'i:' .. id)
      redis.call('HINCRBY', tk, F.received, 1)
    end
    if op.ch then redis.call('DEL', p .. 'ch:' .. id) end
  end
  if op.rec then chunked('RPUSH', p .. 'r:' .. id, op.rec) end
  if op.pt then redis.call('HSET', tk, F.patches, op.pt) end
  if op.cv then redis.call('HSET', tk, F.version, op.cv) end
  return seq
end
