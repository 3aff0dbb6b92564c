--[[
  Write back what happened to claimed tasks, each one atomic transition out of 'running':
  the journal entry it was resumed with, its trace records, and its new state.

  KEYS[1] partition prefix
  ARGV[1] now, ARGV[2] owner token, ARGV[3] notify channel, ARGV[4] JSON array of ops:
    { id, seq (journal length when claimed), e? (journal entry, JSON text), rec? ([JSON text]),
      pop? (the entry consumed the inbox's head value), ch? (the entry consumed children's results),
      o: 's' suspend | 'c' complete | 'f' fault | 'x' cancelled by the coroutine,
      suspend: wk (effect kind), w (effect, JSON text), y? (yielded value, JSON text), due?, dl?,
               types? ([event types], with ns), hold? (stays active: the worker performs the effect now)
      complete: out (JSON text); fault: err (JSON text) }
  Returns: per op 1 (applied), 2 (applied, and due again at once: a value or event was waiting), or 0 (skipped: the task is no longer this claim's: cancelled, or moved on),
           or { -2 } when the token does not own the partition.
]]
local p = KEYS[1]
local now = tonumber(ARGV[1])
if redis.call('GET', p .. 'own') ~= ARGV[2] then return { -2 } end
local channel = ARGV[3]
local ops = cjson.decode(ARGV[4])
local out = {}

local function count(tk, b, from, to)
  redis.call('HINCRBY', p .. 'cnt', from, -1)
  redis.call('HINCRBY', p .. 'cnt', to, 1)
  if b then
    redis.call('HINCRBY', p .. 'bt:' .. b, from, -1)
    redis.call('HINCRBY', p .. 'bt:' .. b, to, 1)
  end
end

for i, op in ipairs(ops) do
  local id = op.id
  local tk = p .. 't:' .. id
  local f = redis.call('HMGET', tk, 'st', 'seq', 'la', 'b', 'n', 'ns', 'par', 'pseq', 'pidx', 'ca')
  if f[1] ~= 'running' or tonumber(f[2]) ~= op.seq then
    out[i] = 0
  else
    local b = f[4]
    local seq = op.seq
    if op.e then
      redis.call('RPUSH', p .. 'j:' .. id, op.e)
      seq = seq + 1
      if op.pop then
        redis.call('LPOP', p .. 'i:' .. id)
        redis.call('HINCRBY', tk, 'rx', 1)
      end
      if op.ch then redis.call('DEL', p .. 'ch:' .. id) end
    end
    if op.rec and #op.rec > 0 then redis.call('RPUSH', p .. 'r:' .. id, unpack(op.rec)) end
    redis.call('HINCRBY', tk, 'rm', now - tonumber(f[3]))
    redis.call('HSET', tk, 'seq', seq, 'la', now)
    local st
    if op.o == 's' then
      st = 'suspended'
      redis.call('HSET', tk, 'st', st, 'wk', op.wk, 'w', op.w)
      redis.call('HDEL', tk, 'res', 'due', 'dl')
      if op.y then redis.call('HSET', tk, 'y', op.y) end
      if op.dl then redis.call('HSET', tk, 'dl', op.dl) end
      local wake = op.due
      if op.hold then
        redis.call('ZADD', p .. 'act', now, id)
      else
        redis.call('ZREM', p .. 'act', id)
        if op.wk == 'receive' then
          if redis.call('LLEN', p .. 'i:' .. id) > 0 then wake = now end
        elseif op.wk == 'waitForEvent' then
          for _, ty in ipairs(op.types) do
            redis.call('SADD', p .. 'wt:' .. f[6] .. ':' .. ty, id)
          end
          -- the task receives every event published since it was created (kept for the buffer window),
          -- each once, in order: 'ec' is the publish time of the last event it received
          local since = redis.call('HGET', tk, 'ec') or (tonumber(f[10]) - 1)
          local best, bestAt = nil, nil
          for _, ty in ipairs(op.types) do
            local hit = redis.call('ZRANGEBYSCORE', p .. 'eb:' .. f[6] .. ':' .. ty, '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
            if hit[1] and (not bestAt or tonumber(hit[2]) < bestAt) then best, bestAt = hit[1], tonumber(hit[2]) end
          end
          if best then
            for _, ty in ipairs(op.types) do redis.call('SREM', p .. 'wt:' .. f[6] .. ':' .. ty, id) end
            redis.call('HSET', tk, 'res', '{"r":' .. best .. '}', 'ec', bestAt)
            wake = now
          end
        end
        if wake then redis.call('HSET', tk, 'due', wake) end
        if op.dl and (not wake or tonumber(op.dl) < tonumber(wake)) then wake = op.dl end
        if wake then redis.call('ZADD', p .. 'due', wake, id) end
        if wake == now then out[i] = 2 end
      end
    else
      redis.call('ZREM', p .. 'act', id)
      redis.call('DEL', p .. 'i:' .. id, p .. 'ch:' .. id)
      redis.call('HDEL', tk, 'res', 'due', 'dl', 'wk', 'w')
      local result
      if op.o == 'c' then
        st = 'completed'
        redis.call('HSET', tk, 'out', op.out)
        result = '"output":' .. op.out
      elseif op.o == 'f' then
        st = 'faulted'
        redis.call('HSET', tk, 'err', op.err)
        result = '"error":' .. op.err
      else
        st = 'cancelled'
        result = '"output":null'
      end
      redis.call('HSET', tk, 'st', st, 'fa', now)
      if b then
        local bk = p .. 'bt:' .. b
        redis.call('HINCRBY', bk, 'sum', now - tonumber(f[10]))
        local last = tonumber(redis.call('HGET', bk, 'last'))
        if not last or now > last then redis.call('HSET', bk, 'last', now) end
      end
      if f[7] then
        redis.call('RPUSH', p .. 'ob', '{"kind":"child","parent":"' .. f[7] .. '","pseq":' .. f[8] .. ',"pidx":' .. f[9] ..
          ',"child":"' .. id .. '","status":"' .. st .. '",' .. result .. '}')
      end
    end
    count(tk, b, 'running', st)
    if f[5] then
      -- a sender waits: tell it how many values the task has received; stop telling once all are
      local c = redis.call('HMGET', tk, 'rx', 'tx')
      local rx = tonumber(c[1] or 0)
      if st ~= 'suspended' or rx >= tonumber(c[2] or 0) then redis.call('HDEL', tk, 'n') end
      redis.call('PUBLISH', channel, id .. ' ' .. seq .. ' ' .. st .. ' ' .. rx)
    end
    out[i] = out[i] or 1
  end
end
return out
