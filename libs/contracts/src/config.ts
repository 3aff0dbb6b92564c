import type { Json } from '@yieldflow/runtime';

/** Everything configurable, read from the environment once, each value checked with a message naming it. */
export interface Config {
  redisUrl: string;
  prefix: string;
  partitions: number;
  port: number;
  /** Outbound addresses allowed despite being loopback/private (comma list of IPs, CIDRs, host names). */
  httpAllow: string[];
  secrets: Record<string, Json>;
  limits: {
    bodyBytes: number;
    batchTasks: number;
    maxSleepMs: number;
    eventBytes: number;
    sendWaitMs: number;
  };
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let secrets: Record<string, Json> = {};
  if (env.SECRETS) {
    try {
      secrets = JSON.parse(env.SECRETS) as Record<string, Json>;
    } catch {
      throw new Error('SECRETS must be a JSON object, e.g. {"apiKey":"..."}');
    }
    if (!secrets || typeof secrets !== 'object' || Array.isArray(secrets)) throw new Error('SECRETS must be a JSON object');
  }
  const prefix = env.YF_PREFIX ?? 'yf';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new Error(`YF_PREFIX must be 1-64 letters, digits, '_', '.', '-', got '${prefix}'`);
  return {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix,
    partitions: int(env, 'PARTITIONS', 16, 1, 1024),
    port: int(env, 'PORT', 3000, 0, 65535),
    httpAllow: (env.HTTP_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    secrets,
    limits: {
      bodyBytes: int(env, 'LIMIT_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      batchTasks: int(env, 'LIMIT_BATCH_TASKS', 50_000, 1, 1_000_000),
      maxSleepMs: int(env, 'LIMIT_SLEEP_MS', 366 * 24 * 3600 * 1000, 1, Number.MAX_SAFE_INTEGER),
      eventBytes: int(env, 'LIMIT_EVENT_BYTES', 256 * 1024, 256, 16 * 1024 * 1024),
      sendWaitMs: int(env, 'SEND_WAIT_MS', 30_000, 100, 600_000),
    },
  };
}
