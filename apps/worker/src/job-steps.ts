import { type ConnectionOptions, FlowProducer, Job, type JobsOptions, Queue, Worker as BullWorker } from 'bullmq';
import Redis from 'ioredis';
import { ERROR_TYPES, type JobEffect, type JournalEntry } from '@yieldflow/runtime';
import { JobQueues, type TaskStore } from '@yieldflow/store';
import type { NamespaceRedactors } from './redaction';

/** Where the user's BullMQ queues are. */
export interface BullmqOptions {
  /** ioredis options or a client; default: the worker's own Redis (REDIS_URL). */
  connection?: ConnectionOptions;
  /** BullMQ's key prefix of the user's queues (default 'bull', BullMQ's own default; ours is YF_PREFIX). */
  prefix?: string;
}

/** What a step's parent job carries: the task and step it resumes. */
interface StepData {
  id: string;
  seq: number;
  ns: string;
  queue: string;
}

const JOB_OPTIONS = ['attempts', 'backoff', 'delay', 'priority', 'lifo', 'removeOnComplete', 'removeOnFail'] as const;

/** `:` is refused in BullMQ job ids, `%` escapes it, so distinct steps never share an id. */
const escape = (s: string): string => s.replace(/%/g, '%25').replace(/:/g, '%3A');

/** The id of a `job` step's job (and of its parent): derived from the deployment, the task and the step. */
export const stepJobId = (prefix: string, taskId: string, seq: number): string =>
  `${escape(prefix)}.${escape(taskId)}.${seq}`;

/**
 * `job` steps, as BullMQ flows: the user's job is the child of a parent job of ours in the queue
 * `<YF_PREFIX>.steps`. The child's id is the step's own, so a repeat adds nothing. When the child
 * completes (or, with `ignoreDependencyOnFailure`, fails for good) BullMQ itself moves the parent to
 * its queue's wait list, durably and whether or not any worker of ours runs; the first of our workers to
 * take it resolves the step with the child's return value or failure. Resolving is idempotent
 * (resolve-1.lua), so a parent processed twice (a stalled one) changes nothing.
 */
export class JobSteps {
  private readonly connection: ConnectionOptions;
  private readonly own: Redis | null = null;
  private readonly bullPrefix: string;
  private readonly jobQueues: JobQueues;
  readonly stepsQueue: string;
  private flows: FlowProducer | null = null;
  private steps: Queue<StepData> | null = null;
  /** The user's queues job steps have added to (bounded by the queues the coroutines name). */
  private readonly queues = new Map<string, Queue>();
  private worker: BullWorker<StepData> | null = null;
  private poll: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly store: TaskStore,
    private readonly redactors: NamespaceRedactors,
    redisUrl: string,
    opts: BullmqOptions = {},
  ) {
    if (opts.connection) this.connection = opts.connection;
    else this.connection = this.own = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.bullPrefix = opts.prefix ?? 'bull';
    this.jobQueues = new JobQueues(store);
    this.stepsQueue = `${store.prefix.replace(/:/g, '.')}.steps`;
  }

  /**
   * Take the parents whose child ended, once this deployment has ever had a job step (its queue set
   * exists: looked at now and every 5 s until then), so a worker that never sees one opens no BullMQ
   * connections. Adding a step's job starts it at once.
   */
  start(): void {
    const look = (): void => {
      this.jobQueues.any().then(
        (any) => any && this.listen(),
        () => undefined,
      );
    };
    look();
    this.poll = setInterval(look, 5000);
  }

  private listen(): void {
    if (this.worker || this.closed) return;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    // a resume is one short script call: a parent held by a worker that died is taken again within ~10 s
    // (BullMQ's defaults, 30 s lock and 30 s stall checks, would leave its task waiting up to a minute)
    // and, resuming being idempotent, one that stalls again and again is taken again, never failed
    this.worker = new BullWorker<StepData>(this.stepsQueue, (job) => this.resume(job), {
      connection: this.connection,
      prefix: this.bullPrefix,
      concurrency: 100,
      lockDuration: 5000,
      stalledInterval: 5000,
      maxStalledCount: 1000,
    });
    this.worker.on('error', () => undefined); // it reconnects by itself, and BullMQ retries a step's resume
  }

  /** Add the step's job (with its parent), unless it was added already. */
  async add(task: { id: string; namespace: string }, seq: number, effect: JobEffect): Promise<void> {
    if (typeof effect.queue !== 'string' || !effect.queue || effect.queue.includes(':'))
      throw new Error(`job: queue must be a non-empty name without ':', got ${JSON.stringify(effect.queue)}`);
    if (typeof effect.name !== 'string' || !effect.name) throw new Error('job: name must be a non-empty string');
    const jobId = stepJobId(this.store.prefix, task.id, seq);
    // recorded first, so whichever worker takes over the step listens for its parent
    await this.jobQueues.add(effect.queue);
    this.listen();
    // the parent is the record that the step's job was added; it is removed only once the step is resolved
    this.steps ??= new Queue<StepData>(this.stepsQueue, { connection: this.connection, prefix: this.bullPrefix });
    if (await this.steps.getJob(jobId)) return;
    const opts: JobsOptions = {};
    for (const k of JOB_OPTIONS)
      if (effect.opts?.[k] !== undefined) (opts as Record<string, unknown>)[k] = effect.opts[k];
    this.flows ??= new FlowProducer({ connection: this.connection, prefix: this.bullPrefix });
    const data: StepData = { id: task.id, seq, ns: task.namespace, queue: effect.queue };
    await this.flows.add({
      name: 'step',
      queueName: this.stepsQueue,
      data,
      // our own resume is retried for about a day (Redis away), so a finished job never strands its task
      opts: {
        jobId,
        removeOnComplete: true,
        removeOnFail: 10_000,
        attempts: 100_000,
        backoff: { type: 'fixed', delay: 1000 },
      },
      children: [
        {
          name: effect.name,
          queueName: effect.queue,
          data: effect.data,
          opts: { ...opts, jobId, ignoreDependencyOnFailure: true },
        },
      ],
    });
    // a step retried after its job failed (POST /retry) finds the failed job still under its id: BullMQ
    // attaches it to the new parent as it is, so it is run again (retried) rather than waited for
    const child = await Job.fromId(this.queue(effect.queue), jobId);
    if (child && (await child.isFailed())) await child.retry('failed');
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new Queue(name, { connection: this.connection, prefix: this.bullPrefix })));
    return q;
  }

  /** A parent whose child ended: resolve its step with the child's return value or failure. */
  private async resume(job: Job<StepData>): Promise<void> {
    const { id, seq, ns, queue } = job.data;
    const failures = Object.entries(await job.getIgnoredChildrenFailures());
    const values = Object.entries(await job.getChildrenValues());
    let entry: Pick<JournalEntry, 'r' | 'e'>;
    if (failures.length) {
      entry = {
        e: {
          type: ERROR_TYPES.runtime,
          status: 500,
          title: 'Job failed',
          detail: String(failures[0][1]),
          instance: failures[0][0],
        },
      };
    } else if (values.length) {
      entry = { r: values[0][1] ?? null };
    } else {
      // a child removed before it ended releases its parent with neither
      entry = {
        e: {
          type: ERROR_TYPES.runtime,
          status: 410,
          title: 'Job removed',
          detail: `the job of step ${seq} in queue ${queue} was removed before it ended`,
        },
      };
    }
    await this.store.resolve(id, seq, this.redactors.for(ns).value(entry));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    await this.worker?.close();
    await this.flows?.close();
    await this.steps?.close();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.own?.quit().catch(() => this.own?.disconnect());
  }
}
