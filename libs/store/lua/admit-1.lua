--[[
  Admit a task that waited for a concurrency slot ('cw'): it now holds one, and is due at once (a paused
  one stays paused: its resume puts it in the due set). Idempotent: a task no longer waiting is left alone.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] now
  Returns: 1 admitted and due, 2 admitted but paused, 0 not waiting for a slot (or ended).
]]
local p = KEYS[1]
local id = ARGV[1]
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, 'st', 'cw', 'pz', 'sa', 'pr')
if not f[2] then return 0 end
redis.call('HDEL', tk, 'cw')
if f[1] ~= 'queued' and f[1] ~= 'suspended' then return 0 end
-- a task that never ran starts its clock now ('ad'), so the wait for a slot does not shorten its sleeps
if not f[4] then redis.call('HSET', tk, 'ad', ARGV[2]) end
if f[3] then return 2 end
-- a task that never ran keeps its priority (claim-1.lua's 'pq')
if f[5] and not f[4] then redis.call('ZADD', p .. 'pq', (100 - tonumber(f[5])) * 10000000000000 + tonumber(ARGV[2]), id)
else redis.call('ZADD', p .. 'due', ARGV[2], id) end
return 1
