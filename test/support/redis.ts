import { randomUUID } from 'node:crypto';
import { type Config, loadConfig } from '@yieldflow/contracts';
import { connectRedis } from '@yieldflow/store';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A configuration with a key prefix of its own, so suites run side by side on one Redis. */
export function testConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = {}): Config {
  return { ...loadConfig({ REDIS_URL, YF_PREFIX: `yft-${randomUUID().slice(0, 8)}`, ...env }), ...overrides };
}

/** Delete every key under a prefix (tests clean up after themselves). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = connectRedis({ redisUrl: REDIS_URL });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Poll until `check` returns a value (not undefined) or time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A JSON body of the api as tests read it, field by field (supertest's own `res.body` is `any`): typing each
 * view the tests poke into would add a cast per assertion and check nothing the drift test does not.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = Record<string, any>;
