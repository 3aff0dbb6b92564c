-- The first event buffered for a task waiting on `types` of namespace `ns` (event-1.lua's references),
-- published after `since` (its cursor, text) and still in its window at `now`: the member and its score
-- (text), or nil. Scores are kept as text: a Lua number prints with 14 digits, which would drop the
-- thousandths that tell apart events of one millisecond (see event-1.lua).
local function buffered_event(p, ns, types, since, now)
  local best, bestAt, bestText = nil, nil, nil
  for _, ty in ipairs(types) do
    local bk = p .. 'eb:' .. ns .. ':' .. ty
    local hit = redis.call('ZRANGEBYSCORE', bk, '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    -- a reference ('<expires at> <id>') past its window: the first live one was published after now - window
    local exp = hit[1] and tonumber(string.match(hit[1], '^(%d+) '))
    if exp and exp <= now then
      local from = math.max(tonumber(since), now - (exp - tonumber(hit[2])))
      hit = redis.call('ZRANGEBYSCORE', bk, '(' .. string.format('%.3f', from), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    end
    if hit[1] and (not bestAt or tonumber(hit[2]) < bestAt) then best, bestAt, bestText = hit[1], tonumber(hit[2]), hit[2] end
  end
  return best, bestText
end
