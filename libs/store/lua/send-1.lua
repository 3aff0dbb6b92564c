--[[
  Send a value into a task (the seed's send()). A task suspended in `receive` is queued to resume with
  it; a task queued or running keeps it for its next `receive` (never lost). Anything else refuses.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] value JSON, ARGV[3] now, ARGV[4] namespace, ARGV[5] max buffered values
  Returns: { code, status, waitKind, seq, buffered, ticket } with code 1 accepted, 0 refused (status says why),
           -1 no such task in the namespace, -3 too many buffered values.
]]
local p = KEYS[1]
local id = ARGV[1]
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, 'st', 'wk', 'seq', 'ns')
if not f[1] or f[4] ~= ARGV[4] then return { -1 } end
local st, wk = f[1], f[2] or ''
local accept = st == 'queued' or st == 'running' or (st == 'suspended' and wk == 'receive')
if not accept then return { 0, st, wk, f[3], 0 } end
local ik = p .. 'i:' .. id
if redis.call('LLEN', ik) >= tonumber(ARGV[5]) then return { -3, st, wk, f[3], 0 } end
local n = redis.call('RPUSH', ik, ARGV[2])
-- the sender's ticket: answered once the task has received this many values
local ticket = redis.call('HINCRBY', tk, 'tx', 1)
redis.call('HSET', tk, 'n', 1)
if st == 'suspended' then
  redis.call('HSET', tk, 'due', ARGV[3])
  redis.call('ZADD', p .. 'due', ARGV[3], id)
end
return { 1, st, wk, f[3], n, ticket }
