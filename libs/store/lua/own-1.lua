--[[
  Take or keep ownership of a partition. Taking it over recovers the previous owner's active tasks
  (claimed, running or performing an IO effect when it stopped): they are queued to run again now,
  from their last completed suspension (a paused one stays paused: the claim drops it).

  Worker groups (ARCHITECTURE.md): a token 'g=<group>|...' leases 'own:<group>' and recovers
  'act:<group>'; the default group's are 'own' and 'act'. The groups that ever owned the partition are
  in its 'grps' set. Taking or renewing also recovers the active tasks of any group that no longer holds
  a lease here (its workers all gone, say after a redeploy with another coroutine set), so a task never
  stays 'running' for a group that will not come back; with one group the set does not exist.

  KEYS[1] partition prefix
  ARGV[1] owner token, ARGV[2] lease ms, ARGV[3] now, ARGV[4] 'take' | 'renew' | 'release'
  Returns: recovered task count (>= 0) when taken, -1 renewed/released, -2 owned by another.
]]
--- @include "counters"
local p = KEYS[1]
local group = string.match(ARGV[1], '^g=([^|]+)|')
local sfx = group and (':' .. group) or ''
local ok = p .. 'own' .. sfx
local cur = redis.call('GET', ok)
local mode = ARGV[4]
local now = tonumber(ARGV[3])

-- every active task of one group back to the due set: it runs again from its last journal entry
local function recover(act)
  local ids = redis.call('ZRANGE', act, 0, -1)
  for _, id in ipairs(ids) do
    local tk = p .. 't:' .. id
    local st = redis.call('HGET', tk, F.status)
    if st == 'running' then
      -- claimed but never written back: it runs again from its last journal entry
      local f = redis.call('HMGET', tk, F.lastAt, F.seq, F.waitKind, F.batch, F.paused)
      local prev = 'suspended'
      -- never suspended (no wait written back): queued, also a rerun that starts with a journal (seq > 0)
      if not f[3] then prev = 'queued' end
      redis.call('HSET', tk, F.status, prev)
      if f[5] then
        -- paused while it ran: it is paused from here (pause-1.lua)
        redis.call('HSET', tk, F.paused, now)
        redis.call('HINCRBY', p .. 'cnt', 'paused', 1)
      end
      move_count(p, f[4], 'running', prev, 1)
    end
    redis.call('ZADD', p .. 'due', now, id)
  end
  redis.call('DEL', act)
  return #ids
end

-- the active tasks of groups without a lease here (the default group among them, once others exist)
local function orphans()
  local n = 0
  local groups = redis.call('SMEMBERS', p .. 'grps')
  if #groups == 0 then return 0 end
  groups[#groups + 1] = ''
  for _, g in ipairs(groups) do
    local s = g == '' and '' or (':' .. g)
    if s ~= sfx and redis.call('EXISTS', p .. 'own' .. s) == 0 and redis.call('EXISTS', p .. 'act' .. s) == 1 then
      n = n + recover(p .. 'act' .. s)
    end
  end
  return n
end

if mode == 'release' then
  if cur == ARGV[1] then redis.call('DEL', ok) return -1 end
  return -2
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', ok, ARGV[2])
  orphans()
  return -1
end
if cur or mode ~= 'take' then return -2 end
redis.call('SET', ok, ARGV[1], 'PX', ARGV[2])
if group then redis.call('SADD', p .. 'grps', group) end
local recovered = recover(p .. 'act' .. sfx) + orphans()
if sfx == '' then
  -- every task the default group was running went back to the due set above: none runs now, whatever
  -- the counter says (it is reconciled here, so a count lost in a crash cannot stay wrong). With other
  -- groups running tasks the counter is theirs too, and is left alone.
  if redis.call('EXISTS', p .. 'grps') == 0 then redis.call('HSET', p .. 'cnt', 'running', 0) end
end
return recovered
