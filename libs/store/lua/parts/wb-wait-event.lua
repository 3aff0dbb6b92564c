-- Write-back: a suspension on waitForEvent registers the task as a waiter of its event types, and
-- receives every event published since it was created (kept for the buffer window), each once, in
-- order: the cursor ('ec') is the publish time of the last event it received. With a buffered event it
-- takes it at once (into `set`, the task's write) and is no waiter; returns whether it did.
local function wb_wait_event(op, c, set)
  local id, ns = op.id, c[H.writeback.namespace]
  for _, ty in ipairs(op.types) do redis.call('SADD', p .. 'wt:' .. ns .. ':' .. ty, id) end
  local since = c[H.writeback.eventCursor] or string.format('%.0f', tonumber(c[H.writeback.createdAt]) - 1)
  local best, bestText = buffered_event(p, ns, op.types, since, now)
  if not best then return false end
  for _, ty in ipairs(op.types) do redis.call('SREM', p .. 'wt:' .. ns .. ':' .. ty, id) end
  -- a reference: the claim fetches the body ({"ev":id}); a buffer written before references holds the event
  local ref = string.match(best, '^%d+ (.*)$')
  set[#set + 1] = F.result; set[#set + 1] = ref and ('{"ev":' .. cjson.encode(ref) .. '}') or ('{"r":' .. best .. '}')
  set[#set + 1] = F.eventCursor; set[#set + 1] = bestText
  return true
end
