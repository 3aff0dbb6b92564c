import { performance } from 'node:perf_hooks';
import type { Cluster, Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { BoundedLabels } from './bounded-labels';
import { FastHistogram, type FastSeries } from './fast-histogram';

/** Seconds: a step is CPU time between two yields, usually well under a millisecond. */
const STEP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Seconds: one HTTP attempt, or one Redis command (a script over a whole batch included). */
const IO_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type ResumeOutcome = 'suspended' | 'completed' | 'faulted' | 'skipped';

/**
 * One worker process's Prometheus registry (served by MetricsServer): step durations by coroutine or
 * definition and namespace, HTTP attempts by host, resumes by outcome, Redis command latency, and
 * Node's own metrics (event-loop lag among them) under `yieldflow_worker_`.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly names = new BoundedLabels(200);
  private readonly namespaces = new BoundedLabels(50);
  private readonly hosts = new BoundedLabels(100);
  private readonly commands = new BoundedLabels(100);
  private readonly steps: FastHistogram;
  /** The step histogram's children by namespace, kind and name: no label string is built per step. */
  private readonly stepChildren = new Map<string, Map<string, Map<string, FastSeries>>>();
  private readonly resumes: Counter<'outcome'>;
  private readonly resumeChildren = new Map<ResumeOutcome, { inc(n?: number): void }>();
  private readonly http: Histogram<'host' | 'outcome'>;
  private readonly httpErrors: Counter<'host' | 'reason'>;
  private readonly redisCommands: FastHistogram;
  private readonly redisChildren = new Map<string, FastSeries>();
  private readonly stepSeries = new Map<string, FastSeries>();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'yieldflow_worker_' });
    this.steps = new FastHistogram(
      'yieldflow_step_duration_seconds',
      'CPU time of one coroutine step (resume to next yield), by kind (coroutine|definition), name and namespace',
      STEP_BUCKETS,
      this.registry,
    );
    this.resumes = new Counter({
      name: 'yieldflow_worker_resumes_total',
      help: 'Steps this worker wrote back, by outcome (suspended, completed, faulted, skipped: not applied)',
      labelNames: ['outcome'],
      registers,
    });
    this.http = new Histogram({
      name: 'yieldflow_http_request_duration_seconds',
      help: 'One attempt of an http effect, by host and outcome (2xx..5xx, or error)',
      labelNames: ['host', 'outcome'],
      buckets: IO_BUCKETS,
      registers,
    });
    this.httpErrors = new Counter({
      name: 'yieldflow_http_errors_total',
      help: 'Failed attempts of http effects, by host and reason (status_4xx, status_5xx, timeout, refused, network)',
      labelNames: ['host', 'reason'],
      registers,
    });
    this.redisCommands = new FastHistogram(
      'yieldflow_redis_command_duration_seconds',
      "Redis commands of this worker's store connection, sent to answered, by command",
      IO_BUCKETS,
      this.registry,
    );
  }

  /** A step took `ms` (performance.now() difference). */
  step(kind: string, name: string, namespace: string, ms: number): void {
    let byKind = this.stepChildren.get(namespace);
    if (!byKind) this.stepChildren.set(namespace, (byKind = new Map()));
    let byName = byKind.get(kind);
    if (!byName) byKind.set(kind, (byName = new Map()));
    let child = byName.get(name);
    if (!child) {
      const labels = { kind, name: this.names.value(name), namespace: this.namespaces.value(namespace) };
      // every name past the cap shares the one 'other' series
      child = this.stepSeries.get(`${labels.kind}\n${labels.name}\n${labels.namespace}`);
      if (!child) {
        child = this.steps.add(labels);
        this.stepSeries.set(`${labels.kind}\n${labels.name}\n${labels.namespace}`, child);
      }
      byName.set(name, child);
    }
    child.observe(ms / 1000);
  }

  resumed(outcome: ResumeOutcome, n = 1): void {
    let child = this.resumeChildren.get(outcome);
    if (!child) this.resumeChildren.set(outcome, (child = this.resumes.labels(outcome)));
    child.inc(n);
  }

  /** One HTTP attempt: its status, or why it failed. */
  httpAttempt(host: string, ms: number, status: number | null, reason?: 'timeout' | 'refused' | 'network'): void {
    const h = this.hosts.value(host);
    const outcome = status === null ? 'error' : `${Math.floor(status / 100)}xx`;
    this.http.labels(h, outcome).observe(ms / 1000);
    if (status !== null && status >= 400) this.httpErrors.labels(h, `status_${outcome}`).inc();
    else if (status === null) this.httpErrors.labels(h, reason ?? 'network').inc();
  }

  /** Time every command of `redis` (pipelines and scripts included: they all go through sendCommand). */
  instrumentRedis(redis: Redis | Cluster): void {
    const target = redis as unknown as { sendCommand(command: RedisCommand, ...rest: unknown[]): unknown };
    const send = target.sendCommand.bind(target);
    target.sendCommand = (command: RedisCommand, ...rest: unknown[]) => {
      if (command.timed) return send(command, ...rest); // sent again after a reconnection: timed once
      command.timed = true;
      const started = performance.now();
      const done = (): void => this.redisCommand(command.name, performance.now() - started);
      command.promise?.then(done, done);
      return send(command, ...rest);
    };
  }

  private redisCommand(name: string, ms: number): void {
    let child = this.redisChildren.get(name);
    if (!child) {
      const label = this.commands.value(name);
      child =
        [...this.redisChildren.values()].find((c) => c.labels.command === label) ??
        this.redisCommands.add({ command: label });
      this.redisChildren.set(name, child);
    }
    child.observe(ms / 1000);
  }
}

interface RedisCommand {
  name: string;
  promise?: Promise<unknown>;
  timed?: boolean;
}
