-- Write-back: what every end (complete, fault, cancel) does after its own fields went into `set` (the
-- task's write; `del`, the fields it drops): status `st` and end time, out of the active set, values
-- sent but never received deleted (wk, w and due stay as the last wait: harmless once ended), its
-- batch's elapsed time, the parent's child item (`result`: '"output":…' or '"error":…') and its
-- concurrency slot's release (slot-1.lua, by the owner) into the outbox, and an entry in `ended` for the
-- indexes and retention. Uses the write-back's state (writeback-1.lua). Returns `st`.
local function wb_end(op, c, set, del, st, result)
  local id = op.id
  if not op.adv then unact[#unact + 1] = id end
  if c[H.writeback.sent] then redis.call('DEL', p .. 'i:' .. id) end
  if c[H.writeback.result] then del[#del + 1] = F.result end
  if c[H.writeback.deadline] then del[#del + 1] = F.deadline end
  if c[H.writeback.paused] then del[#del + 1] = F.paused; del[#del + 1] = F.pauseNote end
  set[#set + 1] = F.status; set[#set + 1] = st
  set[#set + 1] = F.finishedAt; set[#set + 1] = now
  ended[#ended + 1] = { c[H.writeback.namespace], st, id, c[H.writeback.createdAt] }
  local b = c[H.writeback.batch]
  if b then
    local bt = batches[b]
    if not bt then bt = { sum = 0 }; batches[b] = bt end
    bt.sum = bt.sum + now - tonumber(c[H.writeback.createdAt])
    bt.last = now
  end
  if c[H.writeback.parent] then
    redis.call('RPUSH', p .. 'ob', child_item(c[H.writeback.parent], c[H.writeback.parentSeq], c[H.writeback.parentIndex], id, st, result))
  end
  local slot = c[H.writeback.slot]
  if slot then redis.call('RPUSH', p .. 'ob', release_item(slot, id)) end
  return st
end
