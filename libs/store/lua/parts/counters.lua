-- Move `n` tasks from one status to another in the partition's counters ('cnt') and, with a batch, in
-- the batch's aggregate ('bt:<batch>'); `from` or `to` false: only the other side moves.
local function move_count(p, batch, from, to, n)
  if from then redis.call('HINCRBY', p .. 'cnt', from, -n) end
  if to then redis.call('HINCRBY', p .. 'cnt', to, n) end
  if batch then
    local bk = p .. 'bt:' .. batch
    if from then redis.call('HINCRBY', bk, from, -n) end
    if to then redis.call('HINCRBY', bk, to, n) end
  end
end

-- A batch's aggregate records a task's end: the elapsed time ('sum', from `created`) and the last end.
local function batch_ended(p, batch, now, elapsed)
  local bk = p .. 'bt:' .. batch
  if elapsed > 0 then redis.call('HINCRBY', bk, 'sum', elapsed) end
  local last = tonumber(redis.call('HGET', bk, 'last'))
  if not last or now > last then redis.call('HSET', bk, 'last', now) end
end
