import { createHash } from 'node:crypto';
import { loadConfig, loadObservability, type Observability, registerScheduleCoroutine } from '@yieldflow/contracts';
import { type Coroutine, CoroutineRegistry, type Json } from '@yieldflow/runtime';
import {
  type ActivityHandler,
  type BullmqOptions,
  createWorker as createEngineWorker,
} from '../../../apps/worker/src/create-worker';
import type { Tracing } from '../../../apps/worker/src/tracing';
import type { AnyCoroutineDefinition } from './define';

/**
 * An activity: a function the worker runs for `yield activity(name, args)`, once per step (retried on
 * failure like `http()`), its result journaled. Where side effects and injected services belong.
 */
export type ActivityFn = ActivityHandler;
export type { ActivityContext, BullmqOptions } from '../../../apps/worker/src/create-worker';

export interface CreateWorkerOptions {
  /** The Redis URL (default `redis://127.0.0.1:6379`), the one the api uses. */
  redis?: string;
  /** The coroutines this worker runs. Tasks of other coroutines are left to workers that run them. */
  coroutines: AnyCoroutineDefinition[];
  /** Activities by name, run for the `activity()` effect. */
  activities?: Record<string, ActivityFn>;
  /**
   * Where `job()` steps add their BullMQ jobs: `connection` (ioredis options; default this worker's Redis)
   * and `prefix` (BullMQ's, default 'bull'); false for no job steps.
   */
  bullmq?: BullmqOptions | false;
  /** Key prefix (default `yf`), the api's `YF_PREFIX`. */
  prefix?: string;
  /** Partitions (default 16), the api's `PARTITIONS`; fixed for the life of a deployment. */
  partitions?: number;
  /**
   * The worker group: workers of one group share the partitions' leases (ARCHITECTURE.md, "Worker groups").
   * Default: derived from the coroutine names, so workers with the same coroutines form one group.
   */
  group?: string;
  /** Outbound addresses allowed although loopback or private, for `http()` (the api's `HTTP_ALLOW`). */
  httpAllow?: string[];
  /** Namespace → its secrets (`SECRETS`): redacted from everything stored. */
  secrets?: Record<string, Record<string, Json>>;
  /** A name for this worker (logs, `/health`); default a random one. */
  workerId?: string;
  /** Further settings as the service reads them from its environment (`LIMIT_*`, ...). */
  env?: Record<string, string | undefined>;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /**
   * Export OpenTelemetry traces over OTLP/HTTP to `<otlpEndpoint>/v1/traces`, as the service's workers do
   * with `OTEL_EXPORTER_OTLP_ENDPOINT`: a span per step and per IO call, one trace per task, and a
   * `traceparent` on outbound http. Needs the OpenTelemetry packages beside this one (`OTEL_PACKAGES`).
   * Default: no traces.
   */
  otlpEndpoint?: string;
  /** The traces' `service.name` (default `yieldflow-worker`). */
  serviceName?: string;
}

/** What `otlpEndpoint` needs installed (optional peer dependencies of this package). */
export const OTEL_PACKAGES = [
  '@opentelemetry/api',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/semantic-conventions',
];

/** The worker's tracing, loaded only when asked for: the OpenTelemetry packages are the application's choice. */
async function tracingFor(endpoint: string, serviceName?: string): Promise<Tracing> {
  let obs: Observability;
  try {
    // checked and trimmed as the service's workers check OTEL_EXPORTER_OTLP_ENDPOINT
    obs = loadObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: serviceName });
  } catch (err) {
    throw new TypeError(`createWorker: otlpEndpoint: ${(err as Error).message}`, { cause: err });
  }
  let tracing: typeof import('../../../apps/worker/src/tracing');
  try {
    tracing = await import('../../../apps/worker/src/tracing');
  } catch (err) {
    throw new Error(
      `createWorker: otlpEndpoint needs the OpenTelemetry packages installed beside yieldflow ` +
        `(npm install ${OTEL_PACKAGES.join(' ')}): ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  return new tracing.Tracing(obs.otlpEndpoint!, obs.serviceName);
}

export interface YieldflowWorker {
  readonly workerId: string;
  readonly group: string;
  /** The coroutines it runs (yours, and the engine's schedule coroutine). */
  readonly coroutines: string[];
  /** Partitions it owns now. */
  readonly partitions: number[];
  /** Stop claiming, finish held work, hand the partitions back, close the connections. */
  close(): Promise<void>;
}

/** The group of a set of coroutines: the same set, the same group, wherever it runs. */
export function groupOf(names: string[]): string {
  return `c-${createHash('sha256')
    .update([...names].sort().join('\n'))
    .digest('hex')
    .slice(0, 12)}`;
}

/**
 * Run the dispatcher in this process, with these coroutines, against the deployment's Redis. Resolves
 * once it has started (its first leases taken); `close()` stops it.
 */
export async function createWorker(opts: CreateWorkerOptions): Promise<YieldflowWorker> {
  if (!opts || !Array.isArray(opts.coroutines))
    throw new TypeError('createWorker: coroutines must be an array of defineCoroutine(...)');
  const registry = new CoroutineRegistry();
  for (const c of opts.coroutines) {
    if (!c || typeof c.name !== 'string' || typeof c.fn !== 'function')
      throw new TypeError('createWorker: each of coroutines must come from defineCoroutine(name, fn)');
    registry.register(c.name, c.fn as Coroutine, c.options);
  }
  if (opts.activities !== undefined) {
    for (const [name, fn] of Object.entries(opts.activities))
      if (typeof fn !== 'function') throw new TypeError(`createWorker: activity '${name}' must be a function`);
  }
  const group = opts.group ?? groupOf(registry.names());
  registerScheduleCoroutine(registry); // schedules run wherever a worker runs
  const config = loadConfig({
    REDIS_URL: opts.redis ?? 'redis://127.0.0.1:6379',
    YF_PREFIX: opts.prefix ?? 'yf',
    PARTITIONS: String(opts.partitions ?? 16),
    ...opts.env,
  });
  if (opts.httpAllow) config.httpAllow = opts.httpAllow;
  if (opts.secrets) config.secrets = opts.secrets;
  const tracing = opts.otlpEndpoint ? await tracingFor(opts.otlpEndpoint, opts.serviceName) : undefined;
  const worker = await createEngineWorker(config, {
    tracing,
    registry,
    group,
    workerId: opts.workerId,
    log: opts.log,
    activities: opts.activities,
    bullmq: opts.bullmq,
  }).catch(async (err: unknown) => {
    await tracing?.close();
    throw err;
  });
  return {
    workerId: worker.dispatcher.workerId,
    group,
    coroutines: registry.names(),
    get partitions() {
      return worker.dispatcher.partitionsOwned;
    },
    close: () => worker.close(),
  };
}
