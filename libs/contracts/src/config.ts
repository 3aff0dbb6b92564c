import type { Json } from '@yieldflow/runtime';

/** Everything configurable, read from the environment once, each value checked with a message naming it. */
export interface Config {
  redisUrl: string;
  /**
   * Redis Cluster (REDIS_CLUSTER_NODES, or a `redis+cluster://host:port,host:port` REDIS_URL): the nodes to
   * start from, and the credentials given in the URL. Unset: one Redis at `redisUrl`.
   */
  redisCluster?: RedisCluster;
  prefix: string;
  partitions: number;
  /**
   * How partitions are named for hashing (PARTITION_TAGS): 'plain' `{p3}`, or 'spread' `{p3.<n>}` with each
   * partition's slot chosen so they spread evenly over a cluster's masters. Fixed for the life of a deployment.
   */
  partitionTags: 'plain' | 'spread';
  port: number;
  /** Where the api listens (HOST). */
  host: string;
  /**
   * API keys. `enabled: false` is development mode (every request is namespace 'default', role admin),
   * allowed only on a loopback HOST. `adminKey` (ADMIN_KEY) is a super-admin token of namespace 'system'.
   */
  auth: { enabled: boolean; adminKey?: string };
  /** Requests per API key per minute, shared by every api process through Redis (0 = no limit). */
  rateLimitPerMinute: number;
  /**
   * Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For gives the client address that
   * failed authentications are counted by. Unset: none, the address is the connection's peer.
   */
  trustProxy?: string;
  /** The api's address as clients reach it (PUBLIC_URL), the OpenAPI document's server; unset: '/', the host serving /docs. */
  publicUrl?: string;
  /** A request slower than this is logged at warn, whatever LOG_LEVEL (SLOW_REQUEST_MS). */
  slowRequestMs: number;
  /** Outbound addresses allowed despite being loopback/private (comma list of IPs, CIDRs, host names). */
  httpAllow: string[];
  /**
   * SECRETS: namespace → that namespace's secrets, `{"default":{"apiKey":"..."},"acme":{...}}`. A workflow sees,
   * as `$secrets`, only its own namespace's secrets, and of those only the ones its `use.secrets` declares.
   */
  secrets: Record<string, Record<string, Json>>;
  limits: {
    bodyBytes: number;
    batchTasks: number;
    maxSleepMs: number;
    eventBytes: number;
    sendWaitMs: number;
    /** Bytes of published events one namespace may have buffered at once (LIMIT_EVENT_BUFFER_BYTES). */
    eventBufferBytes: number;
    /**
     * Deepest nesting of objects and arrays a JSON body may have (LIMIT_JSON_DEPTH; default 128, room for a
     * definition at the DSL's 64 levels inside a batch).
     */
    jsonDepth: number;
    /** A journal or trace entry larger than this is a marker in task reads (LIMIT_VIEW_VALUE_BYTES). */
    viewValueBytes: number;
    /** Bytes of entries one page of suspensions or trace may carry (LIMIT_VIEW_BYTES). */
    viewBytes: number;
    /** Failed authentications per client address per minute before 429 (LIMIT_AUTH_FAILURES_PER_MINUTE, 0 = none). */
    authFailuresPerMinute: number;
    /** The shortest `every` a schedule may have (LIMIT_SCHEDULE_EVERY_MS): one request must not start tasks without end at any rate. */
    scheduleEveryMs: number;
  };
  /**
   * The user's BullMQ queues, for `job()` steps and Bull Board: their Redis (BULLMQ_URL, default REDIS_URL),
   * BullMQ's key prefix (BULLMQ_PREFIX, default BullMQ's 'bull'), and the queues Bull Board shows besides
   * those job steps have used (BULL_BOARD_QUEUES, comma-separated).
   */
  bullmq?: { url: string; prefix: string; boardQueues: string[] };
  /**
   * How long finished tasks are kept, ms from their end (RETENTION, default 7 days; 0 keeps them forever),
   * per namespace overrides (RETENTION_BY_NAMESPACE), and how often a worker looks for expired tasks at
   * the latest (RETENTION_SWEEP_MS).
   */
  retention: { defaultMs: number; byNamespace: Record<string, number>; sweepMs: number };
  /** What one task may do and store before it faults with an error naming the budget. */
  budgets: {
    stepsPerResume: number;
    cpuMsPerResume: number;
    taskSteps: number;
    traceEntries: number;
    valueBytes: number;
    taskBytes: number;
    children: number;
    spawnDepth: number;
    descendants: number;
    /** Steps a schedule's coroutine takes before it continues as a new generation (SCHEDULE_STEPS_PER_GENERATION). */
    scheduleSteps?: number;
  };
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
}

function clusterNode(name: string, raw: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new Error(`${name} must list nodes as host:port separated by commas, got '${raw}'`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** Where the store is, from REDIS_URL and REDIS_CLUSTER_NODES alone (for tools that need nothing else). */
export function loadRedisTarget(env: NodeJS.ProcessEnv = process.env): Pick<Config, 'redisUrl' | 'redisCluster'> {
  const redisCluster = loadCluster(env);
  return { redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...(redisCluster ? { redisCluster } : {}) };
}

/** What a message about the store calls it. */
export const describeRedis = (c: Pick<Config, 'redisUrl' | 'redisCluster'>): string =>
  c.redisCluster
    ? `Redis Cluster at ${c.redisCluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`
    : `Redis at ${c.redisUrl.replace(/\/\/[^@/]*@/, '//')}`;

/** REDIS_CLUSTER_NODES (host:port,host:port) or REDIS_URL redis+cluster://[user:password@]host:port,host:port. */
function loadCluster(env: NodeJS.ProcessEnv): RedisCluster | undefined {
  const url = env.REDIS_URL ?? '';
  if (env.REDIS_CLUSTER_NODES) {
    return {
      nodes: env.REDIS_CLUSTER_NODES.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => clusterNode('REDIS_CLUSTER_NODES', s)),
    };
  }
  if (!url.startsWith('redis+cluster://')) return undefined;
  const rest = url.slice('redis+cluster://'.length).replace(/\/.*$/, '');
  const at = rest.lastIndexOf('@');
  const hosts = rest
    .slice(at + 1)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (hosts.length === 0)
    throw new Error(`REDIS_URL redis+cluster:// must name at least one node as host:port, got '${url}'`);
  const out: RedisCluster = { nodes: hosts.map((s) => clusterNode('REDIS_URL', s)) };
  if (at >= 0) {
    const [user, ...pass] = rest.slice(0, at).split(':');
    if (user) out.username = decodeURIComponent(user);
    if (pass.length) out.password = decodeURIComponent(pass.join(':'));
  }
  return out;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);
export const isLoopbackHost = (host: string): boolean =>
  LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/** AUTH=on|off; unset: off only on a loopback HOST without ADMIN_KEY (so `npm start` works as is), else on. */
function loadAuth(env: NodeJS.ProcessEnv, host: string): Config['auth'] {
  const adminKey = env.ADMIN_KEY || undefined;
  if (adminKey !== undefined && (adminKey.length < 16 || /\s/.test(adminKey)))
    throw new Error('ADMIN_KEY must be at least 16 characters without spaces');
  const mode = (env.AUTH ?? '').toLowerCase();
  if (mode !== '' && mode !== 'on' && mode !== 'off') throw new Error(`AUTH must be 'on' or 'off', got '${env.AUTH}'`);
  const enabled = mode === 'on' || (mode === '' && (adminKey !== undefined || !isLoopbackHost(host)));
  if (!enabled && !isLoopbackHost(host)) {
    throw new Error(
      `AUTH=off (development mode, no API keys) is allowed only when the api listens on loopback (HOST=127.0.0.1, ::1 or localhost), not HOST=${host}`,
    );
  }
  return adminKey === undefined ? { enabled } : { enabled, adminKey };
}

function publicUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL, got '${raw}'`);
  return raw.replace(/\/+$/, '');
}

const SECRETS_SHAPE = '{"default":{"apiKey":"..."},"acme":{"token":"..."}}';
const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** SECRETS: a JSON object of namespaces, each an object of that namespace's secrets. */
function loadSecrets(raw: string | undefined): Config['secrets'] {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(
      `SECRETS must be a JSON object mapping each namespace to its secrets, e.g. ${SECRETS_SHAPE}; it is not JSON`,
    );
  }
  if (!isObject(parsed))
    throw new Error(`SECRETS must be a JSON object mapping each namespace to its secrets, e.g. ${SECRETS_SHAPE}`);
  for (const [ns, v] of Object.entries(parsed)) {
    if (!isObject(v)) {
      throw new Error(
        `SECRETS must map each namespace to an object of its secrets, e.g. ${SECRETS_SHAPE}; ` +
          `'${ns}' holds a ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} (the flat shape {"name":"value"} is no longer read: put the secrets under their namespace)`,
      );
    }
  }
  return parsed as Config['secrets'];
}

/** BULL_BOARD_QUEUES: BullMQ queue names, comma-separated (BullMQ refuses ':' in a name). */
function queueNames(raw: string | undefined): string[] {
  const names = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (n.includes(':')) throw new Error(`BULL_BOARD_QUEUES: a queue name cannot contain ':', got '${n}'`);
  return [...new Set(names)];
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_SHAPE = 'a duration such as 7d, 12h, 30m, 45s or 500ms, or 0 (keep forever)';

/** A duration ('7d', '12h', '30m', '45s', '500ms', '0') in ms; null when it is not one. */
function retentionMs(raw: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m || (m[2] === undefined && m[1] !== '0')) return null;
  return Number(m[1]) * UNITS[m[2] ?? 'ms'];
}

function loadRetention(env: NodeJS.ProcessEnv): Config['retention'] {
  const defaultMs = env.RETENTION ? retentionMs(env.RETENTION) : 7 * UNITS.d;
  if (defaultMs === null) throw new Error(`RETENTION must be ${DURATION_SHAPE}, got '${env.RETENTION}'`);
  const byNamespace: Record<string, number> = {};
  if (env.RETENTION_BY_NAMESPACE) {
    const shape = `a JSON object mapping namespaces to durations, e.g. {"acme":"30d","scratch":"1h","audit":"0"}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.RETENTION_BY_NAMESPACE);
    } catch {
      throw new Error(`RETENTION_BY_NAMESPACE must be ${shape}; it is not JSON`);
    }
    if (!isObject(parsed)) throw new Error(`RETENTION_BY_NAMESPACE must be ${shape}`);
    for (const [ns, v] of Object.entries(parsed)) {
      const ms = typeof v === 'string' ? retentionMs(v) : v === 0 ? 0 : null;
      if (ms === null)
        throw new Error(`RETENTION_BY_NAMESPACE: '${ns}' must be ${DURATION_SHAPE}, got ${JSON.stringify(v)}`);
      byNamespace[ns] = ms;
    }
  }
  return { defaultMs, byNamespace, sweepMs: int(env, 'RETENTION_SWEEP_MS', 5000, 50, 3_600_000) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const secrets = loadSecrets(env.SECRETS);
  const prefix = env.YF_PREFIX ?? 'yf';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix))
    throw new Error(`YF_PREFIX must be 1-64 letters, digits, '_', '.', '-', got '${prefix}'`);
  const host = env.HOST || '127.0.0.1';
  const { redisUrl, redisCluster } = loadRedisTarget(env);
  const tags = env.PARTITION_TAGS || 'plain';
  if (tags !== 'plain' && tags !== 'spread')
    throw new Error(`PARTITION_TAGS must be 'plain' or 'spread', got '${tags}'`);
  return {
    redisUrl,
    ...(redisCluster ? { redisCluster } : {}),
    prefix,
    partitions: int(env, 'PARTITIONS', 16, 1, 1024),
    partitionTags: tags,
    port: int(env, 'PORT', 3000, 0, 65535),
    host,
    auth: loadAuth(env, host),
    slowRequestMs: int(env, 'SLOW_REQUEST_MS', 1000, 1, 3_600_000),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    ...(env.TRUST_PROXY ? { trustProxy: env.TRUST_PROXY } : {}),
    ...(env.PUBLIC_URL ? { publicUrl: publicUrl(env.PUBLIC_URL) } : {}),
    httpAllow: (env.HTTP_ALLOW ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    secrets,
    limits: {
      bodyBytes: int(env, 'LIMIT_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      batchTasks: int(env, 'LIMIT_BATCH_TASKS', 50_000, 1, 1_000_000),
      maxSleepMs: int(env, 'LIMIT_SLEEP_MS', 366 * 24 * 3600 * 1000, 1, Number.MAX_SAFE_INTEGER),
      eventBytes: int(env, 'LIMIT_EVENT_BYTES', 256 * 1024, 256, 16 * 1024 * 1024),
      sendWaitMs: int(env, 'SEND_WAIT_MS', 30_000, 100, 600_000),
      eventBufferBytes: int(env, 'LIMIT_EVENT_BUFFER_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
      jsonDepth: int(env, 'LIMIT_JSON_DEPTH', 128, 2, 1000),
      viewValueBytes: int(env, 'LIMIT_VIEW_VALUE_BYTES', 64 * 1024, 256, 64 * 1024 * 1024),
      viewBytes: int(env, 'LIMIT_VIEW_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      authFailuresPerMinute: int(env, 'LIMIT_AUTH_FAILURES_PER_MINUTE', 30, 0, 1_000_000),
      scheduleEveryMs: int(env, 'LIMIT_SCHEDULE_EVERY_MS', 1000, 1, 24 * 3600 * 1000),
    },
    bullmq: {
      url: env.BULLMQ_URL || (env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      prefix: env.BULLMQ_PREFIX || 'bull',
      boardQueues: queueNames(env.BULL_BOARD_QUEUES),
    },
    retention: loadRetention(env),
    budgets: {
      stepsPerResume: int(env, 'LIMIT_STEPS_PER_RESUME', 10_000, 1, 100_000_000),
      cpuMsPerResume: int(env, 'LIMIT_CPU_MS_PER_RESUME', 1_000, 1, 600_000),
      taskSteps: int(env, 'LIMIT_TASK_STEPS', 100_000, 1, 1_000_000_000),
      traceEntries: int(env, 'LIMIT_TRACE_ENTRIES', 100_000, 1, 1_000_000_000),
      valueBytes: int(env, 'LIMIT_VALUE_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
      taskBytes: int(env, 'LIMIT_TASK_BYTES', 32 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
      children: int(env, 'LIMIT_CHILDREN', 10_000, 1, 1_000_000),
      spawnDepth: int(env, 'LIMIT_SPAWN_DEPTH', 32, 1, 1_000),
      descendants: int(env, 'LIMIT_DESCENDANTS', 100_000, 1, 100_000_000),
      scheduleSteps: int(env, 'SCHEDULE_STEPS_PER_GENERATION', 1_000, 4, 50_000),
    },
  };
}
