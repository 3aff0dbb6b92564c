--[[
  Deliver a child task's end to its parent (which waits in `spawn`). Idempotent: each child's result is
  kept once. 'all' wakes the parent when every child has ended, with their results in order; 'any'
  wakes it with the first.

  KEYS[1] partition prefix (the parent's)
  ARGV[1] parent id, ARGV[2] seq the parent spawned at, ARGV[3] child index, ARGV[4] child result JSON, ARGV[5] now
  Returns: { code, children } code 0 kept (parent still waits, or moved on), 1 parent woken (all),
           2 parent woken by the first (any: the caller cancels the others).
]]
local p = KEYS[1]
local id = ARGV[1]
local tk = p .. 't:' .. id
-- the child count and wait mode are fields of their own ('cn', 'cm'): a child's end never decodes the
-- parent's whole spawn effect, so fan-in costs the same per child however wide the fork
local f = redis.call('HMGET', tk, 'st', 'seq', 'wk', 'cn', 'cm', 'res')
if f[1] ~= 'suspended' or f[2] ~= ARGV[2] or f[3] ~= 'spawn' or f[6] then return { 0, 0 } end
local n, mode = tonumber(f[4]), f[5]
if not n then
  -- suspended before the fields existed
  local w = cjson.decode(redis.call('HGET', tk, 'w'))
  n, mode = #w.children, w.wait
end
local ck = p .. 'ch:' .. id
redis.call('HSETNX', ck, ARGV[3], ARGV[4])
local res, code
if mode == 'any' then
  res, code = '{"r":' .. ARGV[4] .. '}', 2
else
  if redis.call('HLEN', ck) < n then return { 0, n } end
  -- read in chunks: one `unpack` passes at most a few thousand values
  local parts = {}
  for from = 0, n - 1, 5000 do
    local fields = {}
    for i = from, math.min(n - 1, from + 4999) do fields[#fields + 1] = tostring(i) end
    parts[#parts + 1] = table.concat(redis.call('HMGET', ck, unpack(fields)), ',')
  end
  res, code = '{"r":[' .. table.concat(parts, ',') .. ']}', 1
end
redis.call('HSET', tk, 'res', res, 'due', ARGV[5])
redis.call('ZADD', p .. 'due', ARGV[5], id)
return { code, n }
