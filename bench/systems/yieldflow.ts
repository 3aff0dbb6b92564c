/**
 * The system under test: real worker processes (`dist/apps/worker/src/main.js`), tasks submitted in
 * bulk with `TaskStore.create()`, every figure read back from what the store keeps (the task hashes'
 * `sa`/`fa` fields and each task's journal), not from the benchmark's own clock.
 *
 * Parent half (`yieldflow.run`): a unique prefix, the workload in a child process, the prefix swept after.
 * Child half (`workload`): see bench/README.md, "Plugging a system in".
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type Redis from 'ioredis';
import { connectRedis, type NewTask, TaskStore, newId, scriptSources } from '@yieldflow/store';
import { onAbort } from '../child';
import { runInChild } from '../fork';
import { benchTarget, memoryUsage, redisCpuMs, scanKeys, sweepPrefix, uniquePrefix, usedMemory } from '../redis';
import { summarize } from '../stats';
import type { Result, RunOptions, System } from '../types';
import { RESUMES_PER_PAIR } from '../workload';
import { keysOf } from '../../libs/store/src/testing';

interface YieldflowOptions extends RunOptions {
  prefix: string;
}

/** dist/bench/systems -> dist/apps/worker/src/main.js */
const WORKER_MAIN = path.join(__dirname, '..', '..', 'apps', 'worker', 'src', 'main.js');
const POLL_MS = 50;

export type WorkerProcess = ChildProcess & { output: string[] };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system, ms) a process has used so far, from /proc; NaN where /proc is not there. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/**
 * Which engine ran: the git HEAD now (with a count of uncommitted files under libs/ and apps/), and a
 * fingerprint of the built Lua scripts, which is what changes the Redis side of the figures (dist/ may
 * have been built before HEAD moved).
 */
function engineVersion(): string {
  const root = path.join(__dirname, '..', '..', '..');
  let git = 'no git';
  try {
    const head = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'libs', 'apps'], {
      encoding: 'utf8',
    }).trim();
    git = dirty ? `HEAD ${head} + ${dirty.split('\n').length} uncommitted file(s) in libs/apps` : `HEAD ${head}`;
  } catch {
    // not a checkout
  }
  try {
    // the scripts as Redis runs them: their parts included, the wire names replaced
    const h = createHash('sha1');
    for (const [f, lua] of scriptSources()) h.update(f).update(lua);
    return `${git}, built Lua ${h.digest('hex').slice(0, 8)}`;
  } catch {
    return git;
  }
}

/** Extra node flags for the workers (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), for profiling. */
function workerNodeArgs(): string[] {
  return (process.env.YF_BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** A worker process on the run's prefix; `env` adds settings (the soak's retention). */
export function spawnWorker(
  opts: { redisUrl: string; prefix: string; redisCluster?: string },
  partitions: number,
  index: number,
  env: NodeJS.ProcessEnv = {},
): WorkerProcess {
  const child = spawn(process.execPath, [...workerNodeArgs(), WORKER_MAIN], {
    env: {
      ...process.env,
      REDIS_URL: opts.redisUrl,
      ...(opts.redisCluster ? { REDIS_CLUSTER_NODES: opts.redisCluster, PARTITION_TAGS: 'spread' } : {}),
      YF_PREFIX: opts.prefix,
      PARTITIONS: String(partitions),
      LOG_LEVEL: 'warn',
      WORKER_ID: `bench-w${index}-${process.pid}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as WorkerProcess;
  child.output = [];
  const keep = (d: Buffer): void => {
    const text = d.toString();
    child.output.push(text);
    if (child.output.length > 200) child.output.splice(0, child.output.length - 200);
    // warnings and errors are worth seeing while the run goes on; the start-up lines are not
    if (/\b(WARN|ERROR)\b|yieldflow worker:/.test(text)) process.stderr.write(`[worker ${index}] ${text}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, wait for a clean exit (the worker releases its leases); SIGKILL after `graceMs`. */
export async function stopWorker(
  child: ChildProcess,
  graceMs = 15_000,
): Promise<{ code: number | null; killed: boolean }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, killed: false };
  child.kill('SIGTERM');
  let handle: NodeJS.Timeout | undefined;
  const timer = new Promise<'timeout'>((resolve) => (handle = setTimeout(() => resolve('timeout'), graceMs)));
  const r = await Promise.race([exited(child), timer]);
  clearTimeout(handle);
  if (r === 'timeout') {
    child.kill('SIGKILL');
    await exited(child);
    return { code: null, killed: true };
  }
  return { code: r, killed: false };
}

/**
 * Every partition has an owner, and the partitions are spread over all the workers (no worker above its
 * fair share): a second worker gets its share only at the first worker's next heartbeat, when it gives
 * the excess back, so "all owned" alone would start the clock with one worker doing all the work.
 */
export async function waitForOwners(
  redis: Redis,
  store: TaskStore,
  partitions: number,
  workers: WorkerProcess[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const fair = Math.ceil(partitions / workers.length);
  const deadline = Date.now() + timeoutMs;
  let last = new Map<string, number>();
  for (;;) {
    for (const [i, w] of workers.entries()) {
      if (w.exitCode !== null || w.signalCode !== null) {
        throw new Error(
          `worker ${i} exited (${w.signalCode ?? `code ${w.exitCode}`}) before it was ready: ${w.output.join('').trim().slice(-500)}`,
        );
      }
    }
    const pipe = redis.pipeline();
    for (let p = 0; p < partitions; p++) pipe.get(`${keysOf(store).partition(p)}own`);
    const tokens = ((await pipe.exec()) ?? []).map(([, v]) => v as string | null);
    if (tokens.every((t) => t)) {
      last = new Map();
      // a token is "<workerId>:<random>"
      for (const t of tokens) {
        const w = t!.slice(0, t!.lastIndexOf(':'));
        last.set(w, (last.get(w) ?? 0) + 1);
      }
      if (last.size === workers.length && Math.max(...last.values()) <= fair) return last;
    }
    if (Date.now() > deadline) {
      const owned = tokens.filter(Boolean).length;
      throw new Error(
        `workers not ready after ${timeoutMs} ms: ${owned}/${partitions} partitions owned, by ${last.size} of ${workers.length} workers`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** What a stuck run looks like: the unfinished tasks' state and partition, each partition's owner and due set. */
async function diagnose(redis: Redis, store: TaskStore, tasks: NewTask[], workers: WorkerProcess[]): Promise<string> {
  const pipe = redis.pipeline();
  for (const t of tasks.slice(0, 50_000)) pipe.hmget(keysOf(store).task(t.id), 'st', 'seq', 'due', 'la');
  const res = (await pipe.exec()) ?? [];
  const stuck: string[] = [];
  const parts = new Set<number>();
  res.forEach(([, h], i) => {
    const [st, seq, due, la] = h as (string | null)[];
    if (st === 'completed') return;
    const p = store.partitionOf(tasks[i].id);
    parts.add(p);
    if (stuck.length < 5)
      stuck.push(
        `${tasks[i].id} p${p} ${st} seq ${seq} due ${due ? Number(due) - Date.now() : '-'} ms from now, last change ${Date.now() - Number(la)} ms ago`,
      );
  });
  const info: string[] = [];
  for (const p of [...parts].slice(0, 5)) {
    const base = keysOf(store).partition(p);
    const [own, ttl, due, act] = await Promise.all([
      redis.get(`${base}own`),
      redis.pttl(`${base}own`),
      redis.zrange(`${base}due`, 0, 2, 'WITHSCORES'),
      redis.zcard(`${base}act`),
    ]);
    info.push(`p${p}: owner ${own} (pttl ${ttl}), due ${JSON.stringify(due)}, active ${act}`);
  }
  const logs = workers.map(
    (w, i) =>
      `worker ${i} (${w.exitCode ?? w.signalCode ?? 'running'}): ${w.output.join('').trim().split('\n').slice(-5).join(' | ')}`,
  );
  return `unfinished: ${stuck.join('; ')}; ${info.join('; ')}; ${logs.join('; ')}`;
}

interface MemorySnapshot {
  atMs: number;
  keys: number;
  bytes: number;
  taskKeys: number;
  taskBytes: number;
  perPartition: Record<string, { keys: number; bytes: number }>;
  global: number;
  usedDelta: number;
}

/** MEMORY USAGE over every key under the prefix, split into per-task keys and partition-wide ones. */
async function snapshotMemory(redis: Redis, prefix: string, baseline: number, t0: number): Promise<MemorySnapshot> {
  const atMs = Date.now() - t0;
  const used = await usedMemory(redis);
  const keys = await scanKeys(redis, `${prefix}:*`);
  // per task: t:<id> hash, j:<id> journal, r:<id> trace, i:<id> inbox, ch:<id> children; the rest is shared
  const perTask = /^\{p[\d.]+\}:(t|j|r|i|ch):/;
  const taskKeys: string[] = [];
  const otherKeys: string[] = [];
  for (const k of keys) (perTask.test(k.slice(prefix.length + 1)) ? taskKeys : otherKeys).push(k);
  const taskBytes = await memoryUsage(redis, taskKeys);
  const perPartition: Record<string, { keys: number; bytes: number }> = {};
  let global = 0;
  for (const k of otherKeys) {
    const b = await memoryUsage(redis, [k]);
    const m = /:\{p[\d.]+\}:([a-z]+)/.exec(k);
    if (m) {
      const e = (perPartition[m[1]] ??= { keys: 0, bytes: 0 });
      e.keys++;
      e.bytes += b;
    } else global += b;
  }
  const otherBytes = global + Object.values(perPartition).reduce((a, e) => a + e.bytes, 0);
  return {
    atMs,
    keys: keys.length,
    bytes: taskBytes + otherBytes,
    taskKeys: taskKeys.length,
    taskBytes,
    perPartition,
    global,
    usedDelta: used - baseline,
  };
}

function describeMemory(m: MemorySnapshot, total: number, when: string): string {
  const shared = Object.entries(m.perPartition)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([k, e]) => `${k} ${e.bytes} B in ${e.keys} keys`)
    .join(', ');
  return (
    `${when} (t0 + ${m.atMs} ms): MEMORY USAGE over ${m.keys} keys = ${m.bytes} B (${Math.round(m.bytes / total)} B/task); ` +
    `per-task keys ${m.taskKeys} = ${m.taskBytes} B (${Math.round(m.taskBytes / total)} B/task); ` +
    `partition-wide ${m.bytes - m.taskBytes - m.global} B (${Math.round((m.bytes - m.taskBytes - m.global) / total)} B/task: ${shared}); ` +
    `global ${m.global} B; INFO used_memory delta ${m.usedDelta} B (${Math.round(m.usedDelta / total)} B/task, includes other clients' writes)`
  );
}

/** Runs in the child process. */
export async function workload(opts: YieldflowOptions): Promise<Result> {
  const prefix = opts.prefix;
  const partitions = opts.partitions ?? 16;
  const nWorkers = Math.max(1, opts.workers || 1);
  const total = 2 * opts.pairs;
  const notes: string[] = [];

  const target = benchTarget(opts.redisUrl, opts.redisCluster);
  const redis = connectRedis(target);
  const probe = connectRedis(target);
  const store = new TaskStore(redis, { prefix, partitions, partitionTags: opts.redisCluster ? 'spread' : 'plain' });
  const workers: WorkerProcess[] = [];
  onAbort(async () => {
    for (const w of workers) w.kill('SIGKILL');
    redis.disconnect();
    probe.disconnect();
  });

  try {
    const baseline = opts.measureMemory ? await usedMemory(probe) : NaN;
    for (let i = 0; i < nWorkers; i++) workers.push(spawnWorker(opts, partitions, i));
    const owners = await waitForOwners(probe, store, partitions, workers, Math.min(60_000, opts.timeoutMs));
    notes.push(
      `${nWorkers} worker process(es), ${partitions} partitions${opts.redisCluster ? ` on the cluster ${opts.redisCluster}` : ''}, owned ${[...owners.values()].join(' + ')}; engine ${engineVersion()}`,
    );

    // Build the submission before the clock starts, as the peers do with their job lists.
    const tasks: NewTask[] = [];
    for (let j = 0; j < total; j++) {
      tasks.push({
        id: newId(),
        namespace: 'default',
        kind: 'coroutine',
        name: j % 2 === 0 ? 'seed.func-a' : 'seed.func-b',
        input: null,
        fresh: true,
      });
    }

    const cpu0 = workers.map((w) => cpuMsOf(w.pid));
    const redisCpu0 = await redisCpuMs(probe);
    const t0 = Date.now();
    const created = await store.create(tasks);
    const submitMs = Date.now() - t0;
    const refused = created.filter((c) => !c).length;
    if (refused) throw new Error(`${refused} of ${total} tasks were not created (id collision?)`);

    // Poll the status counters; take the memory snapshot the first time every task is suspended.
    let memory: MemorySnapshot | undefined;
    let allSuspendedSeen = false;
    // give up before the parent's timeout does, so that the error says what was stuck
    const deadline = t0 + Math.max(opts.timeoutMs - 15_000, opts.timeoutMs / 2);
    let counts: Record<string, number> = {};
    for (;;) {
      counts = await store.counts();
      if ((counts.faulted ?? 0) > 0 || (counts.cancelled ?? 0) > 0) {
        throw new Error(`tasks ended badly: ${JSON.stringify(counts)}`);
      }
      if (!allSuspendedSeen && (counts.suspended ?? 0) === total) {
        allSuspendedSeen = true;
        if (opts.measureMemory) {
          memory = await snapshotMemory(probe, prefix, baseline, t0).catch((err: unknown) => {
            notes.push(`memory not measured: ${String(err)}`);
            return undefined;
          });
        }
      }
      if ((counts.completed ?? 0) === total) break;
      for (const [i, w] of workers.entries()) {
        if (w.exitCode !== null || w.signalCode !== null)
          throw new Error(`worker ${i} exited during the run: ${w.output.join('').trim().slice(-500)}`);
      }
      if (Date.now() > deadline)
        throw new Error(
          `not done after ${Date.now() - t0} ms: ${JSON.stringify(counts)}; ${await diagnose(probe, store, tasks, workers)}`,
        );
      await sleep(POLL_MS);
    }
    const doneSeenMs = Date.now() - t0;
    const cpu = workers.map((w, i) => cpuMsOf(w.pid) - cpu0[i]);
    const redisCpu = (await redisCpuMs(probe)) - redisCpu0;
    if (!allSuspendedSeen)
      notes.push(
        'memory not measured: the tasks were never all suspended at the same moment (a first resume came before the last first step)',
      );

    // Everything below is read back from Redis: completion, start and resume times as the workers recorded them.
    const taskKey = (id: string): string => keysOf(store).task(id);
    let lastFinish = 0;
    const startDelay: number[] = [];
    const late: number[] = [];
    const kinds = new Map<string, number>();
    const CHUNK = 2000;
    for (let i = 0; i < tasks.length; i += CHUNK) {
      const chunk = tasks.slice(i, i + CHUNK);
      const pipe = probe.pipeline();
      for (const t of chunk) {
        pipe.hmget(taskKey(t.id), 'st', 'ca', 'sa', 'fa');
        pipe.lrange(keysOf(store).journal(t.id), 0, -1);
      }
      const res = (await pipe.exec()) ?? [];
      chunk.forEach((t, k) => {
        const [e1, h] = res[2 * k];
        const [e2, j] = res[2 * k + 1];
        if (e1 || e2) throw e1 ?? e2;
        const [st, ca, sa, fa] = h as (string | null)[];
        if (st !== 'completed' || !fa) throw new Error(`task ${t.id} is ${st}, not completed`);
        lastFinish = Math.max(lastFinish, Number(fa));
        startDelay.push(Number(sa) - Number(ca));
        for (const s of j as string[]) {
          const e = JSON.parse(s) as { k: string; t: number; d?: number };
          kinds.set(e.k, (kinds.get(e.k) ?? 0) + 1);
          if (e.k !== 'sleep') continue;
          if (e.d === undefined) throw new Error(`task ${t.id}: a sleep entry without a due time: ${s}`);
          late.push(e.t - e.d);
        }
      });
    }
    const expected = RESUMES_PER_PAIR * opts.pairs;
    if (late.length !== expected) {
      throw new Error(
        `${late.length} sleep resumes journaled, expected ${expected} (${late.length < expected ? 'a resume was lost' : 'a resume ran twice'}); entries by kind ${JSON.stringify(Object.fromEntries(kinds))}`,
      );
    }
    const wallMs = lastFinish - t0;
    if (wallMs > doneSeenMs)
      throw new Error(`last completion at t0 + ${wallMs} ms, after the poll saw all done at ${doneSeenMs} ms`);

    let redisBytesPerTask: number | null = null;
    if (memory) {
      redisBytesPerTask = Math.round(memory.bytes / total);
      notes.push(describeMemory(memory, total, `all ${total} tasks suspended at their first sleep`));
    }
    if (opts.measureMemory) {
      const end = await snapshotMemory(probe, prefix, baseline, t0).catch(() => undefined);
      if (end) notes.push(describeMemory(end, total, `all ${total} tasks completed (journals kept)`));
    }
    notes.push(
      `CPU from t0 to all done (${doneSeenMs} ms): worker(s) ${cpu.map((c) => `${Math.round(c)} ms`).join(' + ')}, ` +
        `Redis ${Math.round(redisCpu)} ms (all clients, including this run's memory snapshot)`,
    );
    const stats = await probe.hgetall(`${prefix}:stats`).catch(() => ({}));
    if (Object.keys(stats).length) notes.push(`workers' resume stats: ${JSON.stringify(stats).slice(0, 300)}`);

    // Stop the workers gracefully and check they left cleanly.
    const stopped = await Promise.all(workers.map((w) => stopWorker(w)));
    stopped.forEach((s, i) => {
      if (s.killed) notes.push(`worker ${i} did not exit within 15 s of SIGTERM: killed`);
      else if (s.code !== 0) notes.push(`worker ${i} exited with code ${s.code}`);
    });

    const s = summarize(late);
    const st = summarize(startDelay);
    return {
      name: 'yieldflow',
      tasks: total,
      resumes: s.count,
      wallMs,
      lateP50: s.p50,
      lateP99: s.p99,
      lateMax: s.max,
      redisBytesPerTask,
      submitMs,
      startP99: st.p99,
      redisCpuMs: redisCpu,
      ...(memory ? { redisUsedBytes: memory.usedDelta } : {}),
      notes,
    };
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    redis.disconnect();
    probe.disconnect();
  }
}

export const yieldflow: System = {
  name: 'yieldflow',
  async run(opts) {
    const prefix = uniquePrefix('yieldflow');
    try {
      return await runInChild(__filename, 'workload', { ...opts, prefix } as YieldflowOptions);
    } finally {
      // Whatever happened in the child, leave nothing behind in the shared Redis.
      await sweepPrefix(opts.redisUrl, prefix, opts.redisCluster).catch(() => 0);
    }
  },
};

/** The same system on a Redis Cluster (its nodes in `redisCluster`), as a row of its own. */
export const yieldflowCluster = (nodes: string): System => ({
  name: 'yieldflow-cluster',
  run: (opts) => yieldflow.run({ ...opts, redisCluster: nodes }),
});
