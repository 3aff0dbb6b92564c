--[[
  Record what a cancelled coroutine did as it was closed (its finally blocks): trace entries appended
  once, however often the close is carried out.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2..] trace entries (JSON text)
  Returns: 1 recorded, 0 already closed or not cancelled.
]]
local p = KEYS[1]
local tk = p .. 't:' .. ARGV[1]
if redis.call('HGET', tk, 'st') ~= 'cancelled' then return 0 end
if redis.call('HSETNX', tk, 'cl', 1) == 0 then return 0 end
if #ARGV > 1 then redis.call('RPUSH', p .. 'r:' .. ARGV[1], unpack(ARGV, 2)) end
return 1
