import type { RetryPolicy } from './effects';

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  attempts: 3,
  delayMs: 200,
  backoff: 'exponential',
  maxDelayMs: 30_000,
  jitter: 0,
};

/**
 * Delay before attempt `attempt` (2 = the first retry), or null when the policy allows no more attempts.
 * `random` is injected so tests are exact.
 */
export function retryDelay(
  policy: RetryPolicy | undefined,
  attempt: number,
  random: () => number = Math.random,
): number | null {
  const p = { ...DEFAULT_RETRY, ...policy };
  if (attempt > p.attempts) return null;
  const n = attempt - 1;
  let delay: number;
  if (p.backoff === 'constant') delay = p.delayMs;
  else if (p.backoff === 'linear') delay = p.delayMs * n;
  else delay = p.delayMs * 2 ** (n - 1);
  delay = Math.min(delay, p.maxDelayMs);
  return Math.round(delay + delay * p.jitter * random());
}
