/**
 * What a user would write with BullMQ alone: each step of func_a / func_b is a job, and each
 * step adds the next one as a delayed job. One Worker at concurrency 200 (opts.concurrency).
 * Same semantics as /work/shared/bench-peers/bullmq-chain.mjs, except that lateness is taken over
 * timer resumes only (the first step's delay after submission is reported as startP99), so that
 * `resumes` means the same thing for every system.
 */
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { onAbort } from '../child';
import { runInChild } from '../fork';
import { connectionFromUrl, memoryUsage, scanKeys, sweepPrefix, uniquePrefix, usedMemory } from '../redis';
import { summarize } from '../stats';
import type { Result, RunOptions, System } from '../types';
import { SEED_PLANS, type SeedKind } from '../workload';

interface StepData {
  kind: SeedKind;
  /** Index of the sleep that this step follows (0 = the task's first step). */
  i: number;
  /** When this step is due (ms since epoch): submission time for the first step. */
  due: number;
}

const QUEUE = 'chain';

interface MemorySnapshot {
  keys: number;
  bytes: number;
  usedDelta: number;
  jobKeys: number;
  jobBytes: number;
  biggest: string;
}

interface ChainOptions extends RunOptions {
  prefix: string;
}

/** Runs in the child process. */
export async function workload(opts: ChainOptions): Promise<Result> {
  const connection = connectionFromUrl(opts.redisUrl);
  const prefix = opts.prefix;
  const total = 2 * opts.pairs;
  const notes: string[] = [];
  const probe = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const baseline = opts.measureMemory ? await usedMemory(probe) : NaN;

  const q = new Queue<StepData>(QUEUE, { connection, prefix });
  let w: Worker<StepData> | undefined; // eslint-disable-line prefer-const
  onAbort(async () => {
    await w?.close(true);
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    probe.disconnect();
  });

  const late: number[] = [];
  const startDelay: number[] = [];
  let done = 0;
  let started = 0;
  let memory: Promise<MemorySnapshot | undefined> | undefined;
  let resolveAll!: () => void;
  let rejectAll!: (e: Error) => void;
  const all = new Promise<void>((res, rej) => {
    resolveAll = res;
    rejectAll = rej;
  });

  const measureMemory = async (): Promise<MemorySnapshot> => {
    const used = await usedMemory(probe);
    const keys = await scanKeys(probe, `${prefix}:${QUEUE}:*`);
    // Job hashes are named <prefix>:<queue>:<numeric id>; the rest are the queue's shared structures.
    const jobKeys = keys.filter((k) => /:\d+$/.test(k));
    const otherKeys = keys.filter((k) => !/:\d+$/.test(k));
    const jobBytes = await memoryUsage(probe, jobKeys);
    const others = await Promise.all(
      otherKeys.map(async (k) => [k.slice(prefix.length + QUEUE.length + 2), await memoryUsage(probe, [k])] as const),
    );
    const otherBytes = others.reduce((a, [, b]) => a + b, 0);
    const biggest = others
      .filter(([, b]) => b >= 1024)
      .sort((x, y) => y[1] - x[1])
      .map(([k, b]) => `${k} ${Math.round(b / 1024)} KiB`)
      .join(', ');
    return {
      keys: keys.length,
      bytes: jobBytes + otherBytes,
      usedDelta: used - baseline,
      jobKeys: jobKeys.length,
      jobBytes,
      biggest,
    };
  };

  w = new Worker<StepData>(
    QUEUE,
    async (job: Job<StepData>) => {
      const { kind, i, due } = job.data;
      const now = Date.now();
      if (i === 0) startDelay.push(now - due);
      else late.push(now - due);
      const plan: readonly number[] = SEED_PLANS[kind];
      if (i < plan.length) {
        const delay = plan[i];
        await q.add('step', { kind, i: i + 1, due: Date.now() + delay }, { delay, removeOnComplete: true });
        // Every task has now run its first step and waits on a delayed job: the "all suspended" moment.
        if (i === 0 && ++started === total && opts.measureMemory) {
          memory = measureMemory().catch((err: unknown) => {
            notes.push(`memory not measured: ${String(err)}`);
            return undefined;
          });
        }
      } else if (++done === total) resolveAll();
    },
    { connection, prefix, concurrency: opts.concurrency },
  );
  w.on('failed', (_job, err) => rejectAll(err));
  await Promise.all([q.waitUntilReady(), w.waitUntilReady()]);

  const t0 = Date.now();
  for (let k = 0; k < total; k += 1000) {
    const jobs = [];
    for (let j = k; j < Math.min(total, k + 1000); j++) {
      const kind: SeedKind = j % 2 === 0 ? 'a' : 'b';
      jobs.push({ name: 'step', data: { kind, i: 0, due: Date.now() }, opts: { removeOnComplete: true } });
    }
    await q.addBulk(jobs);
  }
  const submitMs = Date.now() - t0;
  await all;
  const wallMs = Date.now() - t0;

  let redisBytesPerTask: number | null = null;
  const m = memory ? await memory : undefined;
  if (m) {
    redisBytesPerTask = Math.round(m.bytes / total);
    notes.push(
      `while all ${total} tasks were suspended: MEMORY USAGE over ${m.keys} queue keys = ${m.bytes} B, of which ` +
        `${m.jobKeys} job hashes ${m.jobBytes} B (${m.jobKeys ? Math.round(m.jobBytes / m.jobKeys) : 0} B/job) and ` +
        `shared structures ${m.bytes - m.jobBytes} B (${m.biggest || 'all small'}); ` +
        `INFO used_memory delta ${m.usedDelta} B (${Math.round(m.usedDelta / total)} B/task, includes other clients' writes)`,
    );
  }

  await w.close();
  await q.obliterate({ force: true });
  await q.close();
  probe.disconnect();

  const s = summarize(late);
  const st = summarize(startDelay);
  return {
    name: 'bullmq-chain',
    tasks: total,
    resumes: s.count,
    wallMs,
    lateP50: s.p50,
    lateP99: s.p99,
    lateMax: s.max,
    redisBytesPerTask,
    submitMs,
    startP99: st.p99,
    notes,
  };
}

export const bullmqChain: System = {
  name: 'bullmq-chain',
  async run(opts) {
    const prefix = uniquePrefix('bullmq');
    try {
      return await runInChild(__filename, 'workload', { ...opts, prefix } as ChainOptions);
    } finally {
      // Whatever happened in the child, leave nothing behind in the shared Redis.
      await sweepPrefix(opts.redisUrl, prefix).catch(() => 0);
    }
  },
};
