import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadRedisTarget } from '@yieldflow/contracts';
import { connectRedis, isCluster, type RedisTarget } from '@yieldflow/store';

/** The store's target from the bench's options: one Redis, or a cluster's nodes (REDIS_CLUSTER_NODES form). */
export const benchTarget = (redisUrl: string, clusterNodes?: string): RedisTarget =>
  loadRedisTarget(clusterNodes ? { REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: clusterNodes } : { REDIS_URL: redisUrl });

/** Each master of a cluster (a connection of its own), or the one Redis. */
export const masters = (redis: Redis): Redis[] =>
  isCluster(redis) ? (redis as unknown as Cluster).nodes('master') : [redis];

/** Redis's own CPU time (used_cpu_user + used_cpu_sys, ms), summed over a cluster's masters: every client's work. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  let total = 0;
  for (const node of masters(redis)) {
    const info = await node.info('cpu');
    const user = /^used_cpu_user:([\d.]+)/m.exec(info);
    const sys = /^used_cpu_sys:([\d.]+)/m.exec(info);
    total += user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN;
  }
  return total;
}

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

/** Keys matching `pattern`, found with SCAN on every master (bounded: stops after `maxKeys`). */
export async function scanKeys(redis: Redis, pattern: string, maxKeys = 10_000_000): Promise<string[]> {
  const keys: string[] = [];
  for (const node of masters(redis)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0' && keys.length < maxKeys);
  }
  return keys;
}

/** Deletes every key under `prefix:` (a run's leftovers after a crash or timeout). Returns how many. */
export async function sweepPrefix(redisUrl: string, prefix: string, clusterNodes?: string): Promise<number> {
  const redis = connectRedis(benchTarget(redisUrl, clusterNodes), { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    const keys = await scanKeys(redis, `${prefix}:*`);
    // one key per UNLINK on a cluster (the keys are in many slots), pipelined by slot
    if (isCluster(redis)) {
      for (let i = 0; i < keys.length; i += 1000) {
        const pipe = redis.pipeline();
        for (const k of keys.slice(i, i + 1000)) pipe.unlink(k);
        await pipe.exec();
      }
    } else for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
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

/** `used_memory` from INFO memory, summed over a cluster's masters. */
export async function usedMemory(redis: Redis): Promise<number> {
  let total = 0;
  for (const node of masters(redis)) {
    const m = /^used_memory:(\d+)/m.exec(await node.info('memory'));
    total += m ? Number(m[1]) : NaN;
  }
  return total;
}

/** `redis_version` from INFO server, or an explanation when Redis cannot be reached. */
export async function redisVersion(redisUrl: string): Promise<string> {
  const redis = connectRedis({ redisUrl }, { maxRetriesPerRequest: 1, lazyConnect: true });
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
