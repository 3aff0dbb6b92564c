/**
 * `--scenario soak`: push many seed tasks through real worker processes with a short retention, and
 * show Redis memory at its baseline, at its peak, and after retention has removed every finished task
 * (back to the baseline). Tasks are submitted in waves (5,000 every 250 ms), half func_a, half func_b.
 */
import { connectRedis, type NewTask, newId, TaskStore } from '@yieldflow/store';
import { memoryUsage, scanKeys, sweepPrefix, uniquePrefix, usedMemory } from './redis';
import { spawnWorker, stopWorker, waitForOwners, type WorkerProcess } from './systems/yieldflow';
import { keysOf } from '../libs/store/src/testing';

export interface SoakOptions {
  redisUrl: string;
  tasks: number;
  /** Retention of the finished tasks, ms (RETENTION of the workers). */
  retentionMs: number;
  workers: number;
  partitions: number;
  timeoutMs: number;
  /** Tasks per wave (default 5,000), one wave every `waveMs` (default 250). */
  wave?: number;
  waveMs?: number;
}

export interface MemoryPoint {
  /** ms since the first wave. */
  atMs: number;
  /** Keys under the run's prefix, and their MEMORY USAGE sum (exact: only this run's keys). */
  keys: number;
  bytes: number;
  /** INFO used_memory (the whole Redis: other clients' writes included). */
  usedMemory: number;
  /** Tasks kept in Redis (in the partitions' indexes). */
  tasksHeld: number;
}

export interface SoakResult {
  tasks: number;
  retentionMs: number;
  baseline: MemoryPoint;
  /** When every task had finished (before the last ones expired). */
  peak: MemoryPoint;
  /** The highest INFO used_memory sampled during the run (every 250 ms). */
  peakUsedMemory: number;
  after: MemoryPoint;
  submitMs: number;
  allDoneMs: number;
  allRemovedMs: number;
  /** The kinds of key left under the prefix after retention ran (partition-wide ones: leases, counters). */
  leftovers: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run the soak; every key it wrote is swept afterwards. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const prefix = uniquePrefix('soak');
  const redis = connectRedis({ redisUrl: o.redisUrl });
  const store = new TaskStore(redis, { prefix, partitions: o.partitions });
  const workers: WorkerProcess[] = [];
  const env = {
    RETENTION: `${o.retentionMs}ms`,
    RETENTION_SWEEP_MS: String(Math.min(1000, Math.max(50, o.retentionMs))),
  };
  const wave = o.wave ?? 5000;
  let sampling = false;
  const waveMs = o.waveMs ?? 250;
  try {
    for (let i = 0; i < Math.max(1, o.workers); i++)
      workers.push(spawnWorker({ redisUrl: o.redisUrl, prefix }, o.partitions, i, env));
    await waitForOwners(redis, store, o.partitions, workers, Math.min(60_000, o.timeoutMs));
    const held = async (): Promise<{ tasks: number; expiring: number; done: number }> => {
      const pipe = redis.pipeline();
      for (let p = 0; p < o.partitions; p++)
        pipe
          .zcard(`${keysOf(store).partition(p)}idx:default`)
          .zcard(`${keysOf(store).partition(p)}exp`)
          .hget(`${keysOf(store).partition(p)}cnt`, 'completed');
      const r = ((await pipe.exec()) ?? []).map(([, v]) => Number(v ?? 0));
      let tasks = 0,
        expiring = 0,
        done = 0;
      for (let i = 0; i < r.length; i += 3)
        [tasks, expiring, done] = [tasks + r[i], expiring + r[i + 1], done + r[i + 2]];
      return { tasks, expiring, done };
    };
    const t0 = Date.now();
    const point = async (): Promise<MemoryPoint> => {
      const atMs = Date.now() - t0;
      const keys = await scanKeys(redis, `${prefix}:*`);
      return {
        atMs,
        keys: keys.length,
        bytes: await memoryUsage(redis, keys),
        usedMemory: await usedMemory(redis),
        tasksHeld: (await held()).tasks,
      };
    };
    const baseline = await point();
    baseline.atMs = 0;

    let peakUsed = baseline.usedMemory;
    sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakUsed = Math.max(peakUsed, await usedMemory(redis));
        await sleep(250);
      }
    })();

    const deadline = t0 + o.timeoutMs;
    let submitted = 0;
    let removed = 0;
    for (let w = 0; submitted < o.tasks; w++) {
      const n = Math.min(wave, o.tasks - submitted);
      const tasks: NewTask[] = Array.from({ length: n }, (_, i) => ({
        id: newId(),
        namespace: 'default',
        kind: 'coroutine',
        name: (submitted + i) % 2 === 0 ? 'seed.func-a' : 'seed.func-b',
        input: null,
        fresh: true,
      }));
      await store.create(tasks);
      submitted += n;
      const wait = t0 + (w + 1) * waveMs - Date.now();
      if (wait > 0 && submitted < o.tasks) await sleep(wait);
    }
    const submitMs = Date.now() - t0;

    // every task finished: completed count (it goes down as tasks are removed) + removed = all
    for (;;) {
      const h = await held();
      removed = o.tasks - h.tasks;
      if (h.done + removed >= o.tasks) break;
      if (Date.now() > deadline)
        throw new Error(
          `soak: not every task finished after ${Date.now() - t0} ms (${h.tasks} held, ${h.done} completed)`,
        );
      await sleep(100);
    }
    const allDoneMs = Date.now() - t0;
    const peak = await point();

    for (;;) {
      const h = await held();
      if (h.tasks === 0 && h.expiring === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `soak: retention had not removed every task after ${Date.now() - t0} ms (${h.tasks} held, ${h.expiring} expiring)`,
        );
      await sleep(100);
    }
    const allRemovedMs = Date.now() - t0;
    sampling = false;
    await sampler;
    const after = await point();
    const leftovers: Record<string, number> = {};
    for (const k of await scanKeys(redis, `${prefix}:*`)) {
      const kind = /^:(?:\{p\d+\}:)?([a-z]+)/.exec(k.slice(prefix.length))?.[1] ?? k.slice(prefix.length + 1);
      leftovers[kind] = (leftovers[kind] ?? 0) + 1;
    }
    return {
      tasks: o.tasks,
      retentionMs: o.retentionMs,
      baseline,
      peak,
      peakUsedMemory: peakUsed,
      after,
      submitMs,
      allDoneMs,
      allRemovedMs,
      leftovers,
    };
  } finally {
    sampling = false;
    await Promise.all(workers.map((w) => stopWorker(w)));
    redis.disconnect();
    await sweepPrefix(o.redisUrl, prefix);
  }
}

/** The soak's figures as a table and a line of notes. */
export function renderSoak(r: SoakResult): string {
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  const row = (name: string, m: MemoryPoint, used = m.usedMemory): string =>
    `| ${name.padEnd(8)} | ${String(m.atMs).padStart(7)} | ${m.tasksHeld.toLocaleString('en-US').padStart(14)} | ${m.keys.toLocaleString('en-US').padStart(8)} | ${mb(m.bytes).padStart(11)} | ${mb(used).padStart(16)} |`;
  return [
    `soak: ${r.tasks.toLocaleString('en-US')} seed tasks (half func_a, half func_b), retention ${r.retentionMs} ms`,
    '| point    | t0 + ms | tasks in Redis | run keys | run bytes   | INFO used_memory |',
    '|----------|--------:|---------------:|---------:|------------:|-----------------:|',
    row('baseline', r.baseline),
    row('peak', r.peak, r.peakUsedMemory),
    row('after', r.after),
    `submitted in ${r.submitMs} ms; every task finished at t0 + ${r.allDoneMs} ms, every one removed at t0 + ${r.allRemovedMs} ms; ` +
      `run bytes after - baseline: ${r.after.bytes - r.baseline.bytes} B; left under the prefix: ${JSON.stringify(r.leftovers)}. ` +
      "'peak' run bytes are measured when every task had finished (MEMORY USAGE over the run's keys, while the first ones may already be gone); its used_memory is the highest sampled (all clients).",
  ].join('\n');
}
