--[[
  Count a spawn's children against its root task's descendants (LIMIT_DESCENDANTS). Once per spawn: a
  repeat after a crash counts nothing more. One key, in the root's partition.

  KEYS[1] partition prefix (the root's)
  ARGV[1] root id, ARGV[2] the spawn ('<parent id>:<seq>'), ARGV[3] its children, ARGV[4] ttl ms
  Returns: the root's descendants, this spawn's children included.
]]
local k = KEYS[1] .. 'dc:' .. ARGV[1]
if redis.call('HSETNX', k, ARGV[2], ARGV[3]) == 1 then
  redis.call('HINCRBY', k, '#', ARGV[3])
  redis.call('PEXPIRE', k, ARGV[4])
end
return tonumber(redis.call('HGET', k, '#'))
