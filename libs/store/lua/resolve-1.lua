--[[
  Resolve the effect a suspended task waits on (an IO call's response, an emit, children that ended,
  or the end of an IO the worker handed back) and queue the task to resume now. Exactly once: a task
  that moved on, or whose effect already has a result, is left alone.

  KEYS[1] partition prefix
  ARGV[1] task id, ARGV[2] seq the effect was yielded at, ARGV[3] result JSON ({"r":...} / {"e":...}),
          or '' to only release the task from the active set (it waits on, e.g. for its children),
  ARGV[4] now
  The task leaves the active set it is in: the default group's 'act', or another worker group's 'act:<group>'
  (whoever performed the effect: a job's end may be seen by a worker of another group).
  Returns: 1 applied, 0 ignored (its result is already there), -1 ignored (the task is no longer suspended
           at that step: it was cancelled, or moved on).
]]
local p = KEYS[1]
local id = ARGV[1]
local tk = p .. 't:' .. id
local f = redis.call('HMGET', tk, 'st', 'seq', 'res', 'dl')
if f[1] ~= 'suspended' or f[2] ~= ARGV[2] then return -1 end
if f[3] then return 0 end
redis.call('ZREM', p .. 'act', id)
for _, g in ipairs(redis.call('SMEMBERS', p .. 'grps')) do redis.call('ZREM', p .. 'act:' .. g, id) end
if ARGV[3] == '' then
  if f[4] then redis.call('ZADD', p .. 'due', f[4], id) end
  return 1
end
redis.call('HSET', tk, 'res', ARGV[3], 'due', ARGV[4])
redis.call('ZADD', p .. 'due', ARGV[4], id)
return 1
