/**
 * job() steps: N tasks each yielding one `job()` on a BullMQ queue, processed by an ordinary BullMQ
 * Worker (concurrency 50), all submitted at once; beside it, N raw BullMQ jobs added at once to a queue
 * with a QueueEvents listener. Reported, p50/p99/max: each job's own added → completed (BullMQ's
 * `timestamp` → `finishedOn`), and what follows the completion: for job() the task resumed (the step's
 * journaled resume time), for the raw job the QueueEvents listener notified. Everything runs in this
 * process (our worker, the user's BullMQ Worker, the listener), so all times are on one clock.
 */
import { Job, Queue, QueueEvents, Worker as BullWorker } from 'bullmq';
import { loadConfig } from '@yieldflow/contracts';
import { CoroutineRegistry, type Json, job } from '@yieldflow/runtime';
import { newId } from '@yieldflow/store';
import { createWorker } from '../apps/worker/src/create-worker';
import { stepJobId } from '../apps/worker/src/job-steps';
import { connectionFromUrl, sweepPrefix, uniquePrefix } from './redis';
import { type LatenessSummary, summarize } from './stats';

export interface JobStepResult {
  name: string;
  jobs: number;
  /** BullMQ's own: job added → job completed. */
  completion: LatenessSummary;
  /** job completed → task resumed (job()), or → QueueEvents listener notified (raw BullMQ). */
  after: LatenessSummary;
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const processor = async (j: Job): Promise<Json> => ({ i: (j.data as { i: number }).i });

/** All at once (paceMs 0), or one every paceMs. */
async function paced<T>(items: T[], paceMs: number, add: (batch: T[]) => Promise<unknown>): Promise<void> {
  if (paceMs === 0) {
    await add(items);
    return;
  }
  for (const item of items) {
    await add([item]);
    await sleep(paceMs);
  }
}

const how = (paceMs: number) => (paceMs ? `one every ${paceMs} ms` : 'all at once');

async function rawBullmq(redisUrl: string, n: number, timeoutMs: number, paceMs: number): Promise<JobStepResult> {
  const prefix = uniquePrefix('bjob');
  const connection = connectionFromUrl(redisUrl);
  const queue = new Queue('raw', { connection, prefix });
  const events = new QueueEvents('raw', { connection, prefix });
  const worker = new BullWorker('raw', processor, { connection, prefix, concurrency: 50 });
  const notified = new Map<string, number>();
  events.on('completed', ({ jobId }) => notified.set(jobId, Date.now()));
  try {
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
    await sleep(200); // the listener's first XREAD is under way
    await paced(
      Array.from({ length: n }, (_, i) => ({ name: 'work', data: { i }, opts: { jobId: `r${i}` } })),
      paceMs,
      (jobs) => queue.addBulk(jobs),
    );
    await until(async () => (notified.size >= n ? true : undefined), timeoutMs, `${n} raw jobs completing`);
    const completion: number[] = [];
    const after: number[] = [];
    for (const [id, at] of notified) {
      const j = await Job.fromId(queue, id);
      if (!j?.finishedOn) continue;
      completion.push(j.finishedOn - j.timestamp);
      after.push(at - j.finishedOn);
    }
    return {
      name: `raw BullMQ, ${how(paceMs)} (→ QueueEvents notified)`,
      jobs: n,
      completion: summarize(completion),
      after: summarize(after),
    };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await sweepPrefix(redisUrl, prefix);
  }
}

async function yieldflowJobs(redisUrl: string, n: number, timeoutMs: number, paceMs: number): Promise<JobStepResult> {
  const bullPrefix = uniquePrefix('bjobq');
  const config = loadConfig({
    REDIS_URL: redisUrl,
    YF_PREFIX: uniquePrefix('yjob'),
    PARTITIONS: '16',
    BULLMQ_PREFIX: bullPrefix,
  });
  const connection = connectionFromUrl(redisUrl);
  const registry = new CoroutineRegistry().register('bench.job', function* (input) {
    return (yield job('work', 'work', input)) as Json;
  });
  const ours = await createWorker(config, { registry });
  const users = new BullWorker('work', processor, { connection, prefix: bullPrefix, concurrency: 50 });
  const queue = new Queue('work', { connection, prefix: bullPrefix });
  const store = ours.store;
  try {
    await users.waitUntilReady();
    const ids = Array.from({ length: n }, () => newId());
    await paced(
      ids.map((id, i) => ({ id, namespace: 'default', kind: 'coroutine' as const, name: 'bench.job', input: { i } })),
      paceMs,
      (tasks) => store.create(tasks),
    );
    await until(
      async () => (((await store.counts()).completed ?? 0) >= n ? true : undefined),
      timeoutMs,
      `${n} job() tasks completing`,
    );
    const journals = await store.journals(ids);
    const completion: number[] = [];
    const after: number[] = [];
    for (let k = 0; k < ids.length; k++) {
      const j = await Job.fromId(queue, stepJobId(config.prefix, ids[k], 0));
      const resumed = journals[k][0]?.t;
      if (!j?.finishedOn || resumed === undefined) continue;
      completion.push(j.finishedOn - j.timestamp);
      after.push(resumed - j.finishedOn);
    }
    return {
      name: `job() step, ${how(paceMs)} (→ task resumed)`,
      jobs: n,
      completion: summarize(completion),
      after: summarize(after),
    };
  } finally {
    await users.close();
    await ours.close();
    for (const name of ['work', `${config.prefix}.steps`]) {
      const q = new Queue(name, { connection, prefix: bullPrefix });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await queue.close();
    await sweepPrefix(redisUrl, config.prefix);
    await sweepPrefix(redisUrl, bullPrefix);
  }
}

/**
 * Raw BullMQ, then job() steps, first all at once (a burst: queueing shows), then paced (one every
 * 20 ms, at most 200 of them: the latency of one step on a quiet system). A failure of one is reported
 * beside the others' figures.
 */
export async function runJobSteps(redisUrl: string, n: number, timeoutMs: number): Promise<JobStepResult[]> {
  const none: LatenessSummary = { count: 0, p50: NaN, p99: NaN, max: NaN };
  const settle = (name: string, p: Promise<JobStepResult>) =>
    p.catch((err: unknown): JobStepResult => ({
      name,
      jobs: n,
      completion: none,
      after: none,
      error: err instanceof Error ? err.message : String(err),
    }));
  const out: JobStepResult[] = [];
  for (const [count, paceMs] of [
    [n, 0],
    [Math.min(n, 200), 20],
  ]) {
    out.push(await settle(`raw BullMQ, ${how(paceMs)}`, rawBullmq(redisUrl, count, timeoutMs, paceMs)));
    await sleep(1000);
    out.push(await settle(`job() step, ${how(paceMs)}`, yieldflowJobs(redisUrl, count, timeoutMs, paceMs)));
    await sleep(1000);
  }
  return out;
}
