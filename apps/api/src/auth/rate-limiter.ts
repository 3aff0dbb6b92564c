import type { AuthKeyStore } from '@yieldflow/store';

const WINDOW_MS = 60_000;

/** Requests per key per minute, counted in Redis so the limit holds across api processes. */
export class RateLimiter {
  constructor(
    private readonly keys: AuthKeyStore,
    private readonly perMinute: number,
  ) {}

  /** null when the request may proceed, else the seconds until the window resets. */
  async take(subject: string): Promise<number | null> {
    if (this.perMinute <= 0) return null;
    const [count, ttl] = await this.keys.countRequest(subject, WINDOW_MS);
    return count > this.perMinute ? Math.max(1, Math.ceil(ttl / 1000)) : null;
  }

  get limit(): number {
    return this.perMinute;
  }
}

/** Failed authentications per client address per minute (a RateLimiter of its own, subject `af:<address>`). */
export class AuthFailureLimiter extends RateLimiter {
  /** Count one failure of `address`: null while under the limit, else the seconds until the window resets. */
  fail(address: string): Promise<number | null> {
    return this.take(`af:${address}`);
  }
}
