-- Write-back: a suspension ('s'): the effect it waits on into `set` (the task's write; `del`, the fields
-- it drops), and the task into the active set (hold: the worker performs the effect now) or the due set
-- at its due time or deadline. Uses the write-back's state (writeback-1.lua). Returns its status.
local function wb_suspend(i, op, c, set, del)
  local id, pz = op.id, c[H.writeback.paused]
  set[#set + 1] = F.status; set[#set + 1] = 'suspended'
  set[#set + 1] = F.waitKind; set[#set + 1] = op.wk
  set[#set + 1] = F.wait; set[#set + 1] = op.w
  if op.y then set[#set + 1] = F.yielded; set[#set + 1] = op.y end
  if op.cn then
    set[#set + 1] = F.childCount; set[#set + 1] = op.cn; set[#set + 1] = F.childMode; set[#set + 1] = op.cm
  end
  local resSet = false
  if op.dl then set[#set + 1] = F.deadline; set[#set + 1] = op.dl
  elseif c[H.writeback.deadline] then del[#del + 1] = F.deadline end
  local wake = op.due
  if op.hold then
    act[#act + 1] = now; act[#act + 1] = id
    if pz then
      -- paused while it ran: its effect is performed, and the result waits until it is resumed
      set[#set + 1] = F.paused; set[#set + 1] = now
      paused = paused + 1
    end
  else
    if not op.adv then unact[#unact + 1] = id end
    if op.wk == 'receive' then
      if redis.call('LLEN', p .. 'i:' .. id) > 0 then wake = now end
    elseif op.wk == 'waitForEvent' then
      resSet = wb_wait_event(op, c, set)
      if resSet then wake = now end
    end
    if wake then set[#set + 1] = F.due; set[#set + 1] = wake
    elseif c[H.writeback.due] then del[#del + 1] = F.due end
    if op.dl and (not wake or tonumber(op.dl) < tonumber(wake)) then wake = op.dl end
    if pz then
      -- paused while it ran: it pauses here, out of the due set, until resumed (pause-1.lua)
      set[#set + 1] = F.paused; set[#set + 1] = now
      paused = paused + 1
    elseif wake then
      due[#due + 1] = wake; due[#due + 1] = id
      if wake == now then out[i] = 2 end
    end
  end
  -- the result this step consumed goes (unless a buffered event just became the next one)
  if c[H.writeback.result] and not resSet then del[#del + 1] = F.result end
  return 'suspended'
end
