-- Write-back: a task that moved from status `from` to `st` is counted for the partition's counters and
-- its batch's aggregate (`moved`, `batches`: written once per call by wb-flush): '<status>>' counts what
-- left a status, '<status>' what entered one.
local function wb_count(b, from, st)
  if from == st then return end
  moved[st] = (moved[st] or 0) + 1
  moved[from .. '>'] = (moved[from .. '>'] or 0) + 1
  if b then
    local bt = batches[b]
    if not bt then bt = { sum = 0 }; batches[b] = bt end
    bt[st] = (bt[st] or 0) + 1
    bt[from .. '>'] = (bt[from .. '>'] or 0) + 1
  end
end

-- A sender waits on the task (F.notify set): tell it on the notify channel how many values the task has
-- received; stop telling once all are, or once it ended.
local function wb_notify(tk, id, seq, st)
  local c = redis.call('HMGET', tk, F.received, F.sent)
  local rx = tonumber(c[1] or 0)
  if st ~= 'suspended' or rx >= tonumber(c[2] or 0) then redis.call('HDEL', tk, F.notify) end
  redis.call('PUBLISH', channel, id .. ' ' .. seq .. ' ' .. st .. ' ' .. rx)
end
