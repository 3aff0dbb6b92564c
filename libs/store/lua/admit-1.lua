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
local f = redis.call('HMGET', tk, 'st', 'cw', 'pz', 'sa')
if not f[2] then return 0 end
redis.call('HDEL', tk, 'cw')
if f[1] ~= 'queued' and f[1] ~= 'suspended' then return 0 end
-- a task that never ran starts its clock now ('ad'), so the wait for a slot does not shorten its sleeps
if not f[4] then redis.call('HSET', tk, 'ad', ARGV[2]) end
if f[3] then return 2 end
redis.call('ZADD', p .. 'due', ARGV[2], id)
return 1
