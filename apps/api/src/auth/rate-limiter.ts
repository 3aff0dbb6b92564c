import type Redis from 'ioredis';

/** One fixed window per key and minute: the count and the window's remaining ms, in one round trip. */
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { n, ttl }
`;

const WINDOW_MS = 60_000;

/** Requests per key per minute, counted in Redis so the limit holds across api processes. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perMinute: number,
  ) {
    if (!(redis as unknown as { yf_ratelimit?: unknown }).yf_ratelimit)
      redis.defineCommand('yf_ratelimit', { numberOfKeys: 1, lua: SCRIPT });
  }

  /** null when the request may proceed, else the seconds until the window resets. */
  async take(subject: string): Promise<number | null> {
    if (this.perMinute <= 0) return null;
    const window = Math.floor(Date.now() / WINDOW_MS);
    const [count, ttl] = (await (
      this.redis as unknown as { yf_ratelimit(k: string, ms: number): Promise<[number, number]> }
    ).yf_ratelimit(`${this.prefix}:rl:${subject}:${window}`, WINDOW_MS)) as [number, number];
    return count > this.perMinute ? Math.max(1, Math.ceil(ttl / 1000)) : null;
  }

  get limit(): number {
    return this.perMinute;
  }
}

/** Failed authentications per client address per minute (a RateLimiter of its own, counted under `rl:af:<address>`). */
export class AuthFailureLimiter extends RateLimiter {
  /** Count one failure of `address`: null while under the limit, else the seconds until the window resets. */
  fail(address: string): Promise<number | null> {
    return this.take(`af:${address}`);
  }
}
