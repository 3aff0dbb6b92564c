-- Outbox items (the partition's 'ob' list), carried out by its owner; each one is idempotent.

-- (task ids are letters, digits, '_', '.' and '-': no JSON escape needed)

-- A child's end for its parent: `result` is the JSON member text, '"output":…' or '"error":…'.
local function child_item(parent, pseq, pidx, child, status, result)
  return '{"kind":"child","parent":"' .. parent .. '","pseq":' .. pseq .. ',"pidx":' .. pidx ..
    ',"child":"' .. child .. '","status":"' .. status .. '",' .. result .. '}'
end

-- A concurrency slot to release (slot-1.lua, by the owner: another slot).
local function release_item(slot, id)
  return '{"kind":"release","slot":' .. cjson.encode(slot) .. ',"id":"' .. id .. '"}'
end
