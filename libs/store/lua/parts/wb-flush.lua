-- Write-back: what is written once per call, after every op (writeback-1.lua's state): the active and due
-- sets (advanced tasks leave the due set before new timers go in), the partition's counters, the ended
-- tasks' indexes and retention, and the batches' aggregates.
local function wb_flush()
  chunked('ZREM', p .. 'due', undue)
  chunked('ZREM', p .. 'act' .. sfx, unact)
  chunked('ZADD', p .. 'act' .. sfx, act)
  chunked('ZADD', p .. 'due', due)
  if paused > 0 then redis.call('HINCRBY', p .. 'cnt', 'paused', paused) end
  for key, n in pairs(moved) do
    if string.sub(key, -1) == '>' then redis.call('HINCRBY', p .. 'cnt', string.sub(key, 1, -2), -n)
    else redis.call('HINCRBY', p .. 'cnt', key, n) end
  end
  -- Retention and the list filters for the tasks that ended (the same in cancel-1.lua; undone by
  -- retry-1.lua; expire-1.lua removes them): out of 'live', into their end status's index, and into the
  -- expiry set at now + their namespace's retention (ARGV[8], ARGV[9]; 0: kept, not entered).
  if #ended > 0 then
    local byNs = ARGV[9] and ARGV[9] ~= '' and cjson.decode(ARGV[9]) or {}
    local zrem, zadd, expiry = {}, {}, {}
    for _, e in ipairs(ended) do
      local member = index_member(e[4], e[3])
      local live, by = p .. 'ix:' .. e[1] .. ':live', p .. 'ix:' .. e[1] .. ':s:' .. e[2]
      zrem[live] = zrem[live] or {}; table.insert(zrem[live], member)
      zadd[by] = zadd[by] or {}; table.insert(zadd[by], 0); table.insert(zadd[by], member)
      local keep = retention(byNs, e[1], ARGV[8])
      if keep > 0 then expiry[#expiry + 1] = now + keep; expiry[#expiry + 1] = e[3] end
    end
    for key, list in pairs(zrem) do chunked('ZREM', key, list) end
    for key, list in pairs(zadd) do chunked('ZADD', key, list) end
    chunked('ZADD', p .. 'exp', expiry)
  end
  for b, bt in pairs(batches) do
    local bk = p .. 'bt:' .. b
    for key, n in pairs(bt) do
      if key ~= 'sum' and key ~= 'last' then
        if string.sub(key, -1) == '>' then redis.call('HINCRBY', bk, string.sub(key, 1, -2), -n)
        else redis.call('HINCRBY', bk, key, n) end
      end
    end
    if bt.sum > 0 then redis.call('HINCRBY', bk, 'sum', bt.sum) end
    if bt.last then
      local last = tonumber(redis.call('HGET', bk, 'last'))
      if not last or bt.last > last then redis.call('HSET', bk, 'last', bt.last) end
    end
  end
end
