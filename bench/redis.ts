import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

/** ioredis options from a redis:// URL, in the plain-object form BullMQ accepts as `connection`. */
export function connectionFromUrl(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  maxRetriesPerRequest: null;
} {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isFinite(db) ? { db } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A key prefix no one else uses: every benchmark run writes only under it. */
export function uniquePrefix(system: string): string {
  return `yfbench-${system}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Keys matching `pattern`, found with SCAN (bounded: stops after `maxKeys`). */
export async function scanKeys(redis: Redis, pattern: string, maxKeys = 10_000_000): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < maxKeys);
  return keys;
}

/** Deletes every key under `prefix:` (a run's leftovers after a crash or timeout). Returns how many. */
export async function sweepPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    const keys = await scanKeys(redis, `${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

/** Sum of MEMORY USAGE (exact: SAMPLES 0) over the given keys, pipelined in chunks. */
export async function memoryUsage(redis: Redis, keys: string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 1000)) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const res = (await pipe.exec()) ?? [];
    for (const [err, v] of res) if (!err && typeof v === 'number') total += v;
  }
  return total;
}

/** `used_memory` from INFO memory. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  return m ? Number(m[1]) : NaN;
}

/** `redis_version` from INFO server, or an explanation when Redis cannot be reached. */
export async function redisVersion(redisUrl: string): Promise<string> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  } catch (err) {
    return `unreachable (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    redis.disconnect();
  }
}
