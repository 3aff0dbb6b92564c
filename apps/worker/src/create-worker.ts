import { type Config } from '@yieldflow/contracts';
import { createCoroutineRegistry } from '@yieldflow/contracts';
import type { CoroutineRegistry } from '@yieldflow/runtime';
import { connectRedis, CoroutineCatalog, DefinitionRegistry, ScheduleStore, TaskStore } from '@yieldflow/store';
import { AddressGuard } from './address-guard';
import { CoroutineSource } from './coroutine-source';
import { Dispatcher, type DispatcherOptions } from './dispatcher';
import { EffectPerformer } from './effect-performer';
import { HttpPerformer } from './http-performer';
import { Outbox } from './outbox';
import { NamespaceRedactors } from './redaction';
import { StartPerformer } from './start-performer';
import { ActivityPerformer, type ActivityHandler } from './activity-performer';
import { type BullmqOptions, JobSteps } from './job-steps';
import { WorkerMetrics } from './metrics';
import { MetricsServer } from './metrics-server';
import { WorkerObserver } from './observer';
import { TaskLog, type TaskLogger } from './task-log';
import type { Tracing } from './tracing';

export type { ActivityContext, ActivityHandler } from './activity-performer';
export type { BullmqOptions } from './job-steps';

export interface WorkerOptions extends DispatcherOptions {
  /** The coroutines it runs (default: the built-in ones); tasks of others are left to workers that run them. */
  registry?: CoroutineRegistry;
  /** Its worker group (ARCHITECTURE.md, "Worker groups"); default: the default group. */
  group?: string;
  /** The handlers `activity(name, args)` runs, by name. */
  activities?: Record<string, ActivityHandler>;
  /** Where `job()` steps add their jobs (default: BULLMQ_URL or this worker's Redis, BULLMQ_PREFIX or 'bull'); false: no job steps. */
  bullmq?: BullmqOptions | false;
  /** Serve `/metrics` and `/health` on this port (0: any free one; see Worker.metricsPort). Default: none. */
  metricsServer?: { port: number; host?: string };
  /** Where each task's start, fault and end are logged at info (task-log.ts). Default: not logged. */
  logger?: TaskLogger;
  /** Spans of steps and IO calls (tracing.ts); closed with the worker. Default: none. */
  tracing?: Tracing;
}
import { Sweeper } from './sweeper';

export interface Worker {
  dispatcher: Dispatcher;
  store: TaskStore;
  sweeper: Sweeper;
  /** This worker's Prometheus registry (step durations, HTTP calls, resumes, Redis latency, Node's). */
  metrics: WorkerMetrics;
  /** The port `/metrics` and `/health` are served on, when `metricsServer` was given. */
  metricsPort?: number;
  close(): Promise<void>;
}

/** Build a worker's dispatcher and its connections from configuration (used by the app, tests and the bench). */
export async function createWorker(config: Config, opts: WorkerOptions = {}): Promise<Worker> {
  const redis = connectRedis(config);
  const metrics = new WorkerMetrics();
  metrics.instrumentRedis(redis);
  const subscriber = connectRedis(config, { subscriber: true });
  const b = config.budgets;
  const registry = opts.registry ?? createCoroutineRegistry();
  const store = new TaskStore(redis, {
    prefix: config.prefix,
    partitions: config.partitions,
    partitionTags: config.partitionTags,
    eventBufferBytes: config.limits.eventBufferBytes,
    budgets: { steps: b.taskSteps, traceEntries: b.traceEntries, bytes: b.taskBytes },
    retention: config.retention,
    group: opts.group,
    serves: registry.names(),
  });
  // children and started tasks may be of any worker group's coroutines
  const catalog = new CoroutineCatalog(store, registry);
  const definitions = new DefinitionRegistry(store);
  // every namespace's secrets are redacted from every task: a secret of another namespace is never stored either
  const redactors = new NamespaceRedactors(config.secrets);
  const outbox = new Outbox(store);
  const jobs =
    opts.bullmq === false
      ? undefined
      : new JobSteps(store, redactors, config.bullmq?.url ?? config.redisUrl, {
          prefix: config.bullmq?.prefix,
          ...opts.bullmq,
        });
  const starts = new StartPerformer(store, ScheduleStore.of(store), catalog, definitions);
  const performer = new EffectPerformer(
    store,
    new HttpPerformer(new AddressGuard(config.httpAllow), { observer: metrics }),
    catalog,
    definitions,
    redactors,
    { spawnDepth: b.spawnDepth, descendants: b.descendants },
    starts,
    new ActivityPerformer(opts.activities),
    jobs,
  );
  const dispatcher = new Dispatcher(
    store,
    subscriber,
    new CoroutineSource(registry, store, config.secrets, undefined, {
      steps: b.stepsPerResume,
      cpuMs: b.cpuMsPerResume,
    }),
    performer,
    outbox,
    {
      maxSleepMs: config.limits.maxSleepMs,
      redactors,
      budgets: { valueBytes: b.valueBytes, taskBytes: b.taskBytes, children: b.children },
      observer: new WorkerObserver(metrics, opts.logger && new TaskLog(opts.logger), opts.tracing),
      ...opts,
    },
  );
  performer.tracing = opts.tracing;
  outbox.onClose = (id) => dispatcher.closeTask(id);
  outbox.onDeadLetter = (p, item, reason) =>
    opts.log?.('error', `partition ${p}: outbox item set aside (${reason}): ${item.slice(0, 300)}`, { partition: p });
  await dispatcher.start();
  jobs?.start();
  const sweeper = new Sweeper(store, dispatcher, { everyMs: config.retention.sweepMs, log: opts.log });
  sweeper.start();
  const server = opts.metricsServer ? new MetricsServer(metrics.registry, dispatcher) : undefined;
  const metricsPort =
    server && (await server.listen(opts.metricsServer!.port, opts.metricsServer!.host ?? '127.0.0.1'));
  return {
    dispatcher,
    store,
    sweeper,
    metrics,
    metricsPort,
    async close() {
      await sweeper.stop();
      await dispatcher.stop();
      await server?.close();
      await opts.tracing?.close();
      await jobs?.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
