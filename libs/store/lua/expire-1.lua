--[[
  Remove finished tasks and everything kept for them: the hash, journal, trace, inbox, children results,
  reruns list, descendants counter, and their entries in the partition's sets and indexes; the task's
  status count and batch aggregate go down by one (a batch aggregate left at zero is removed too). Only a
  completed, faulted or cancelled task is ever removed. 'sweep' takes the tasks whose expiry (the 'exp' set,
  entered at each end: writeback-1.lua, cancel-1.lua) has passed, at most ARGV[4] of them, fenced by the
  owner's token; 'delete' removes one task at once (DELETE /v1/tasks/:id).

  KEYS[1] partition prefix
  ARGV[1] 'sweep': ARGV[2] owner token, ARGV[3] now, ARGV[4] most tasks to remove
          'delete': ARGV[2] task id, ARGV[3] namespace
  Returns: sweep { removed, next expiry in the set or -1, links... } or { -2 } when the token does not own
           the partition; delete { 1, links... } removed, { 0, status } not finished, { -1 } no such task.
           A link is 'b <batch>' (a batch none of whose tasks is left in this partition: the caller removes
           the batch's record once no partition holds any) or 'r <original> <id>' (a removed rerun: the caller
           takes it off its original's reruns list, on the original's slot).
]]
--- @include "index"
local p = KEYS[1]
local links = {}
local STATUSES = { 'queued', 'running', 'suspended', 'completed', 'faulted', 'cancelled' }

local function finished(st) return st == 'completed' or st == 'faulted' or st == 'cancelled' end

-- f: st, ns, ca, kind, name, b, ro
local function remove(id, f)
  local st, ns = f[1], f[2]
  redis.call('DEL', p .. 't:' .. id, p .. 'i:' .. id, p .. 'ch:' .. id, p .. 'rr:' .. id, p .. 'dc:' .. id)
  -- a long journal or trace is freed in the background
  redis.call('UNLINK', p .. 'j:' .. id, p .. 'r:' .. id)
  for _, set in ipairs({ 'due', 'pq', 'act', 'exp' }) do redis.call('ZREM', p .. set, id) end
  local member = index_member(f[3] or 0, id)
  local named = f[4] == 'c' and ('c:' .. (f[5] or '')) or ('d:' .. (string.match(f[5] or '', '^(.*)@[^@]*$') or f[5] or ''))
  redis.call('ZREM', p .. 'idx:' .. ns, member)
  redis.call('ZREM', p .. 'ix:' .. ns .. ':' .. named, member)
  redis.call('ZREM', p .. 'ix:' .. ns .. ':s:' .. st, member)
  redis.call('ZREM', p .. 'ix:' .. ns .. ':live', member)
  redis.call('ZREM', p .. 'ids:' .. ns, id)
  redis.call('HINCRBY', p .. 'cnt', st, -1)
  if f[6] then
    local bk = p .. 'bt:' .. f[6]
    redis.call('HINCRBY', bk, st, -1)
    local left = 0
    for _, n in ipairs(redis.call('HMGET', bk, unpack(STATUSES))) do left = left + tonumber(n or 0) end
    if left <= 0 then
      redis.call('DEL', bk)
      links[#links + 1] = 'b ' .. f[6]
    end
  end
  if f[7] then links[#links + 1] = 'r ' .. f[7] .. ' ' .. id end
end

local FIELDS = { F.status, F.namespace, F.createdAt, F.kind, F.name, F.batch, F.rerunOf }

if ARGV[1] == 'delete' then
  local id = ARGV[2]
  local f = redis.call('HMGET', p .. 't:' .. id, unpack(FIELDS))
  if not f[1] or f[2] ~= ARGV[3] then return { -1 } end
  if not finished(f[1]) then return { 0, f[1] } end
  remove(id, f)
  return { 1, unpack(links) }
end

if redis.call('GET', p .. 'own') ~= ARGV[2] then return { -2 } end
local now, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local removed = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'exp', '-inf', now, 'LIMIT', 0, max)) do
  local f = redis.call('HMGET', p .. 't:' .. id, unpack(FIELDS))
  if f[1] and finished(f[1]) then
    remove(id, f)
    removed = removed + 1
  else
    -- gone already, or alive again (a retry takes it out of the set itself): never removed here
    redis.call('ZREM', p .. 'exp', id)
  end
end
local head = redis.call('ZRANGE', p .. 'exp', 0, 0, 'WITHSCORES')
return { removed, head[2] and tonumber(head[2]) or -1, unpack(links) }
