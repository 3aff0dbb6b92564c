--[[
  Move a schedule to its next generation (the coroutine that runs it), so that exactly one runs.

  KEYS[1] the schedule's prefix (h is its hash)
  ARGV[1] 'continue': a generation ending itself; ARGV[2] its number. Applies only if it is still the
          schedule's generation (and repeats answer the same), else -1: a change came first.
          'bump': a change of the schedule (update, pause, resume). ARGV[2] ignored; ARGV[3..] field/value
          pairs to set with it ('' value: delete the field).
  Returns the new generation, or -1 (stale, or no such schedule).
]]
local h = KEYS[1] .. 'h'
local f = redis.call('HMGET', h, 'gen', 'gc')
if not f[1] then return -1 end
local gen = tonumber(f[1])
if ARGV[1] == 'continue' then
  local g = tonumber(ARGV[2])
  if gen == g then
    redis.call('HSET', h, 'gen', g + 1, 'gc', g)
    return g + 1
  end
  if gen == g + 1 and f[2] == tostring(g) then return g + 1 end
  return -1
end
redis.call('HSET', h, 'gen', gen + 1, 'gc', '')
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', h, ARGV[i]) else redis.call('HSET', h, ARGV[i], ARGV[i + 1]) end
end
return gen + 1
