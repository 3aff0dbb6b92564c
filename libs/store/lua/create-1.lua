--[[
  Create tasks in one partition, queued to run now. Idempotent: a task id that exists is left alone
  (ids derived from an idempotency key make a retried submission a no-op).

  KEYS[1] partition prefix, e.g. "yf:{p3}:" (every key below shares its hash tag)
  ARGV[1] now (epoch ms)
  ARGV[2] JSON array of { id, ns, kind, name, in, def?, b?, par?, pseq?, pidx? }
  Returns: array of 1 (created) / 0 (existed) per task, in order.
]]
local p = KEYS[1]
local now = tonumber(ARGV[1])
local tasks = cjson.decode(ARGV[2])
local out = {}
for i, t in ipairs(tasks) do
  local tk = p .. 't:' .. t.id
  if redis.call('EXISTS', tk) == 1 then
    out[i] = 0
  else
    redis.call('HSET', tk, 'ns', t.ns, 'kind', t.kind, 'name', t.name, 'in', t['in'], 'st', 'queued', 'seq', 0,
      'ca', now, 'la', now)
    if t.def then redis.call('HSET', tk, 'def', t.def) end
    if t.par then redis.call('HSET', tk, 'par', t.par, 'pseq', t.pseq, 'pidx', t.pidx) end
    redis.call('ZADD', p .. 'due', now, t.id)
    -- newest first by member: inverted creation time, then id (an exact order for paging)
    redis.call('ZADD', p .. 'idx:' .. t.ns, 0, string.format('%013d', 9999999999999 - now) .. ':' .. t.id)
    redis.call('HINCRBY', p .. 'cnt', 'queued', 1)
    if t.b then
      redis.call('HSET', tk, 'b', t.b)
      redis.call('HINCRBY', p .. 'bt:' .. t.b, 'queued', 1)
    end
    out[i] = 1
  end
end
return out
