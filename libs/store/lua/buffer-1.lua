--[[
  Keep a published event's body once for its namespace, for the buffer window and a grace period: the
  partitions' buffers (event-1.lua) hold only references to it, and the worker that delivers a buffered
  event fetches the body (TaskStore.claim). The namespace's buffered bytes are capped. Every key is in the
  namespace's own slot (hash tag {ev:<ns>}).

  KEYS[1] the namespace's event prefix (<prefix>:{ev:<ns>}:)
  ARGV[1] event id, ARGV[2] event JSON, ARGV[3] now, ARGV[4] buffer window ms, ARGV[5] keep ms (window and
  grace), ARGV[6] max buffered bytes
  Returns: { 1 } kept, { 0 } already kept (the same id, published within the window), or
           { -1, bytes buffered, ms until the oldest body goes } when keeping it would pass the cap.
]]
--- @include "chunked"
local e = KEYS[1]
local id, body, now, window, keep, max = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ix, sz, tot = e .. 'ix', e .. 'sz', e .. 'n'
local total = tonumber(redis.call('GET', tot) or '0')
-- bodies past their time are no longer counted (their keys expire by themselves)
local gone = redis.call('ZRANGEBYSCORE', ix, '-inf', now - keep)
if #gone > 0 then
  for _, g in ipairs(gone) do total = total - tonumber(redis.call('HGET', sz, g) or '0') end
  chunked('HDEL', sz, gone)
  redis.call('ZREMRANGEBYSCORE', ix, '-inf', now - keep)
  redis.call('SET', tot, math.max(total, 0), 'PX', keep)
end
local at = tonumber(redis.call('ZSCORE', ix, id))
if at and now - at < window then return { 0 } end
-- a repeat past the window is published afresh (so are its references): it replaces the body it had
if at then total = total - tonumber(redis.call('HGET', sz, id) or '0') end
if total + #body > max then
  local oldest = redis.call('ZRANGE', ix, 0, 0, 'WITHSCORES')
  return { -1, total, oldest[2] and math.max(tonumber(oldest[2]) + keep - now, 1) or keep }
end
redis.call('SET', e .. 'b:' .. id, body, 'PX', keep)
redis.call('ZADD', ix, now, id)
redis.call('HSET', sz, id, #body)
redis.call('SET', tot, total + #body, 'PX', keep)
redis.call('PEXPIRE', ix, keep)
redis.call('PEXPIRE', sz, keep)
return { 1 }
