-- One fixed window of a rate limit: count a request, and answer { count, the window's remaining ms }.
-- KEYS[1] the window's counter; ARGV[1] the window's length, ms.
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { n, ttl }
