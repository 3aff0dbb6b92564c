-- A task's member in its namespace's list indexes: inverted creation time, then id (newest first).
local function index_member(created, id)
  return string.format('%013d', 9999999999999 - tonumber(created)) .. ':' .. id
end

-- How long an ended task of namespace `ns` is kept: ARGV-given default ms, overridden per namespace by
-- `byNs` (decoded JSON, or nil). 0: kept forever.
local function retention(byNs, ns, default)
  return tonumber((byNs and byNs[ns]) or default or 0)
end
