/**
 * The cost of one resume as a task's history grows: one task looping `sleep(0)`, driven step by step
 * through the store's claim and write-back scripts and the worker's Executor (as profile-scripts.ts does),
 * each step timed. Reported: the median step around the 10th and around the `steps`-th (the target: at most
 * 1.5x), and a cold resume (the generator not held, so the journal is read and replayed) at both.
 */
import { sleep } from '@yieldflow/runtime';
import { createCoroutineRegistry } from '@yieldflow/contracts';
import { connectRedis, newId, TaskStore, type ClaimedTask } from '@yieldflow/store';
import { Executor } from '../apps/worker/src/executor';
import { benchTarget, sweepPrefix, uniquePrefix } from './redis';
import { median } from './stats';

export interface ResumeCost {
  steps: number;
  /** Median ms of one warm step (claim, next(), write-back) over steps 5..15 and around `steps`. */
  earlyMs: number;
  lateMs: number;
  /** One cold step (journal read and replayed) at step 10 and at `steps`. */
  coldEarlyMs: number;
  coldLateMs: number;
}

export async function resumeCost(redisUrl: string, steps = 10_000, clusterNodes?: string): Promise<ResumeCost> {
  const prefix = uniquePrefix('yf-resume');
  const redis = connectRedis(benchTarget(redisUrl, clusterNodes));
  const store = new TaskStore(redis, { prefix, partitions: 1 });
  const registry = createCoroutineRegistry();
  registry.register('bench.loop', function* () {
    for (;;) yield sleep(0);
  });
  const fn = registry.get('bench.loop')!;
  try {
    await store.init();
    const token = `resume:${newId()}`;
    if ((await store.own(0, token, 600_000, 'take')) < 0) throw new Error('could not own partition 0');
    // far ahead, so each sleep(0) is due at once
    const clock = () => Date.now() + 60_000;
    const warm = new Executor();
    // a first task for 500 steps, so the measured one's early steps do not pay for the JIT's warm-up
    const warmup = newId();
    await store.create([
      { id: warmup, namespace: 'default', kind: 'coroutine', name: 'bench.loop', input: null, fresh: true },
    ]);
    for (let step = 1; step <= 500; step++) {
      const claim = await store.claim(0, token, 1, clock());
      await store.writeback(0, token, [warm.execute(claim!.tasks[0], fn, Date.now()).op]);
    }
    await store.cancel(null, warmup);
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name: 'bench.loop', input: null, fresh: true }]);
    const ms: number[] = [];
    const cold: Record<number, number> = {};
    for (let step = 1; step <= steps + 5; step++) {
      const coldStep = step === 10 || step === steps;
      const t = performance.now();
      const claim = await store.claim(0, token, 1, clock());
      const task = claim?.tasks[0] as ClaimedTask | undefined;
      if (!task) throw new Error(`step ${step}: nothing to claim`);
      const op = coldStep
        ? new Executor().execute(task, fn, Date.now(), await store.journal(id)).op
        : warm.execute(task, fn, Date.now()).op;
      const applied = await store.writeback(0, token, [op]);
      if (!applied || applied[0] === 0) throw new Error(`step ${step}: the write-back was not applied`);
      const took = performance.now() - t;
      if (coldStep) {
        cold[step] = took;
        // the warm executor's generator is one step behind now: hand it the same step so it stays current
        warm.execute({ ...task }, fn, Date.now());
      }
      ms.push(coldStep ? NaN : took);
    }
    // ms[i] is step i + 1: the warm steps from at - 5 to at + 5
    const around = (at: number) => median(ms.slice(Math.max(0, at - 6), at + 5).filter(Number.isFinite));
    return { steps, earlyMs: around(10), lateMs: around(steps), coldEarlyMs: cold[10], coldLateMs: cold[steps] };
  } finally {
    redis.disconnect();
    await sweepPrefix(redisUrl, prefix, clusterNodes).catch(() => 0);
  }
}
