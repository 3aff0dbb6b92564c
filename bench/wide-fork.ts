/**
 * A wide fork: one task whose fork has N branches (10,000 by default), each a one-`set` child, while
 * 200 unrelated tasks sleep (seed func_a: 1 s three times). Reported: the fork's wall time (submission
 * to the parent's end), Redis CPU over the run, and the unrelated tasks' resume lateness, which shows
 * whether fan-in stalls Redis for everyone. The peer is BullMQ's FlowProducer: a parent job with N
 * children, the parent processed once every child has completed (its values gathered).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import Redis from 'ioredis';
import { FlowProducer, Worker } from 'bullmq';
import { connectRedis, contentHash, newId, TaskStore } from '@yieldflow/store';
import { connectionFromUrl, sweepPrefix, uniquePrefix } from './redis';
import { summarize } from './stats';
import { keysOf } from '../libs/store/src/testing';

const WORKER_MAIN = path.join(__dirname, '..', 'apps', 'worker', 'src', 'main.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WideForkResult {
  name: string;
  branches: number;
  wallMs: number;
  redisCpuMs: number;
  /** Resume lateness of the unrelated sleeping tasks (Yieldflow only). */
  late?: { p50: number; p99: number; max: number };
  error?: string;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = /^used_cpu_user:([\d.]+)/m.exec(info);
  const sys = /^used_cpu_sys:([\d.]+)/m.exec(info);
  return user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function yieldflowFork(redisUrl: string, branches: number, timeoutMs: number): Promise<WideForkResult> {
  const prefix = uniquePrefix('fork');
  const partitions = 16;
  const redis = connectRedis({ redisUrl });
  const store = new TaskStore(redis, { prefix, partitions });
  await store.init();
  const worker: ChildProcess = spawn(process.execPath, [WORKER_MAIN], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      YF_PREFIX: prefix,
      PARTITIONS: String(partitions),
      LOG_LEVEL: 'warn',
      LIMIT_CHILDREN: String(Math.max(branches, 10_000)),
    },
    stdio: 'ignore',
  });
  try {
    await until(
      async () =>
        (
          await Promise.all([...Array(partitions).keys()].map((p) => redis.get(`${keysOf(store).partition(p)}own`)))
        ).every(Boolean)
          ? true
          : undefined,
      15_000,
      'workers owning every partition',
    );
    const doc = {
      document: { dsl: '1.0.3', namespace: 'bench', name: 'wide', version: '1.0.0' },
      do: [
        { wide: { fork: { branches: Array.from({ length: branches }, (_, i) => ({ [`b${i}`]: { set: { i } } })) } } },
      ],
    };
    const text = JSON.stringify(doc);
    const hash = contentHash(text);
    await store.putDefinition(hash, text);
    const sleepers = Array.from({ length: 200 }, () => newId());
    const root = newId();
    const cpu0 = await redisCpuMs(redis);
    await store.create(
      sleepers.map((id) => ({
        id,
        namespace: 'bench',
        kind: 'coroutine' as const,
        name: 'seed.func-a',
        input: null,
        fresh: true,
      })),
    );
    await store.create([
      { id: root, namespace: 'bench', kind: 'definition', name: 'wide', input: {}, definitionHash: hash, fresh: true },
    ]);
    const [ca, fa] = await until(
      async () => {
        const [st, c, f] = await redis.hmget(keysOf(store).task(root), 'st', 'ca', 'fa');
        if (st === 'faulted') throw new Error(`the fork faulted: ${await redis.hget(keysOf(store).task(root), 'err')}`);
        return st === 'completed' ? [Number(c), Number(f)] : undefined;
      },
      timeoutMs,
      'the fork ending',
    );
    await until(
      async () => (((await store.counts()).completed ?? 0) >= branches + 1 + sleepers.length ? true : undefined),
      timeoutMs,
      'the sleepers ending',
    );
    const cpu1 = await redisCpuMs(redis);
    const lateness = (await store.journals(sleepers)).flat().map((e) => e.t - (e.d ?? e.t));
    const s = summarize(lateness);
    return {
      name: 'yieldflow',
      branches,
      wallMs: fa - ca,
      redisCpuMs: cpu1 - cpu0,
      late: { p50: s.p50, p99: s.p99, max: s.max },
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    redis.disconnect();
    await sweepPrefix(redisUrl, prefix);
  }
}

async function bullmqFlow(redisUrl: string, branches: number, timeoutMs: number): Promise<WideForkResult> {
  const prefix = uniquePrefix('flow');
  const connection = connectionFromUrl(redisUrl);
  const redis = new Redis(redisUrl);
  let done: (v: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (done = r));
  const children = new Worker('children', async (job) => ({ i: (job.data as { i: number }).i }), {
    connection,
    prefix,
    concurrency: 200,
  });
  const parents = new Worker(
    'parents',
    async (job) => {
      const values = await job.getChildrenValues();
      done(Date.now());
      return Object.keys(values).length;
    },
    { connection, prefix },
  );
  const flow = new FlowProducer({ connection, prefix });
  try {
    await Promise.all([children.waitUntilReady(), parents.waitUntilReady()]);
    const cpu0 = await redisCpuMs(redis);
    const start = Date.now();
    await flow.add({
      name: 'wide',
      queueName: 'parents',
      children: Array.from({ length: branches }, (_, i) => ({ name: 'branch', queueName: 'children', data: { i } })),
    });
    const end = await Promise.race([
      finished,
      sleep(timeoutMs).then(() => Promise.reject(new Error(`the flow did not end within ${timeoutMs} ms`))),
    ]);
    const cpu1 = await redisCpuMs(redis);
    return { name: 'bullmq-flow', branches, wallMs: end - start, redisCpuMs: cpu1 - cpu0 };
  } finally {
    await Promise.all([children.close(), parents.close(), flow.close()]);
    redis.disconnect();
    await sweepPrefix(redisUrl, prefix);
  }
}

/** Both systems, one after the other; a failure is reported in its row rather than ending the run. */
export async function runWideFork(redisUrl: string, branches: number, timeoutMs: number): Promise<WideForkResult[]> {
  const out: WideForkResult[] = [];
  for (const [name, run] of [
    ['bullmq-flow', bullmqFlow],
    ['yieldflow', yieldflowFork],
  ] as const) {
    try {
      out.push(await run(redisUrl, branches, timeoutMs));
    } catch (err) {
      out.push({ name, branches, wallMs: NaN, redisCpuMs: NaN, error: (err as Error).message });
    }
    await sleep(1000);
  }
  return out;
}
