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
local f = redis.call('HMGET', tk, 'st', 'seq', 'wk', 'w', 'res')
if f[1] ~= 'suspended' or f[2] ~= ARGV[2] or f[3] ~= 'spawn' or f[5] then return { 0, 0 } end
local ck = p .. 'ch:' .. id
redis.call('HSETNX', ck, ARGV[3], ARGV[4])
local w = cjson.decode(f[4])
local n = #w.children
local res, code
if w.wait == 'any' then
  res, code = '{"r":' .. ARGV[4] .. '}', 2
else
  if redis.call('HLEN', ck) < n then return { 0, n } end
  local fields = {}
  for i = 0, n - 1 do fields[i + 1] = tostring(i) end
  res, code = '{"r":[' .. table.concat(redis.call('HMGET', ck, unpack(fields)), ',') .. ']}', 1
end
redis.call('HSET', tk, 'res', res, 'due', ARGV[5])
redis.call('ZADD', p .. 'due', ARGV[5], id)
return { code, n }
