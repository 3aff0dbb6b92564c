-- Call a variadic command on `key` with `list` spread over it, a few thousand values per call (one
-- `unpack` passes at most about 8,000 values). Nothing is called for an empty list.
local function chunked(cmd, key, list)
  for i = 1, #list, 7000 do redis.call(cmd, key, unpack(list, i, math.min(i + 6999, #list))) end
end
