/**
 * Schedules: a schedule every second for 20 s, on Yieldflow (an api and a worker process) and on BullMQ's
 * job scheduler (`upsertJobScheduler`, one Worker), both in the same run, at the same time. Reported:
 * fires, fires started more than once, and fire lateness (task start minus fire time) p50/p99/max.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { connectionFromUrl, sweepPrefix, uniquePrefix } from './redis';
import { summarize } from './stats';

const MAIN = (app: string) => path.join(__dirname, '..', 'apps', app, 'src', 'main.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ScheduleResult {
  name: string;
  fires: number;
  /** Fire times started more than once. */
  doubles: number;
  late: { p50: number; p99: number; max: number };
  error?: string;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const result = (name: string, dues: number[], late: number[]): ScheduleResult => {
  const s = summarize(late);
  return {
    name,
    fires: dues.length,
    doubles: dues.length - new Set(dues).size,
    late: { p50: s.p50, p99: s.p99, max: s.max },
  };
};

async function yieldflowSchedule(redisUrl: string, fires: number, startAt: number): Promise<ScheduleResult> {
  const prefix = uniquePrefix('sched');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    YF_PREFIX: prefix,
    PARTITIONS: '16',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH: 'off',
    WORKER_ID: 'bench',
  };
  const procs: ChildProcess[] = [
    spawn(process.execPath, [MAIN('api')], { env, stdio: 'ignore' }),
    spawn(process.execPath, [MAIN('worker')], { env, stdio: 'ignore' }),
  ];
  const base = `http://127.0.0.1:${port}`;
  try {
    await until(
      async () => ((await fetch(`${base}/health`)).ok ? true : undefined),
      20_000,
      'the api and worker being up',
    );
    const body = {
      id: 'bench',
      every: '1s',
      startAt: new Date(startAt).toISOString(),
      endAt: new Date(startAt + (fires - 1) * 1000).toISOString(),
      overlap: 'allowAll',
      definition: {
        document: { dsl: '1.0.3', namespace: 'bench', name: 'tick', version: '1.0.0' },
        do: [{ one: { set: { ok: true } } }],
      },
    };
    const res = await fetch(`${base}/v1/schedules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST /v1/schedules answered ${res.status}: ${await res.text()}`);
    const records = await until(
      async () => {
        const page = (await (await fetch(`${base}/v1/schedules/bench/fires?limit=1000`)).json()) as {
          items: { result: string; dueAt: string; lateMs: number }[];
        };
        const view = (await (await fetch(`${base}/v1/schedules/bench`)).json()) as { state: string };
        return view.state === 'ended' ? page.items : undefined;
      },
      (fires + 30) * 1000,
      'the schedule ending',
    );
    const started = records.filter((r) => r.result === 'started');
    return result(
      'yieldflow',
      started.map((r) => Date.parse(r.dueAt)),
      started.map((r) => r.lateMs),
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    await sweepPrefix(redisUrl, prefix);
  }
}

async function bullmqScheduler(redisUrl: string, fires: number, startAt: number): Promise<ScheduleResult> {
  const prefix = uniquePrefix('bsched');
  const connection = connectionFromUrl(redisUrl);
  const dues: number[] = [];
  const late: number[] = [];
  const worker = new Worker(
    'ticks',
    async (job) => {
      const now = Date.now();
      // a scheduler's job is created delayed until its fire time
      const due = job.timestamp + (job.opts.delay ?? 0);
      dues.push(Math.round(due / 1000) * 1000);
      late.push(now - due);
    },
    { connection, prefix, concurrency: 50 },
  );
  const queue = new Queue('ticks', { connection, prefix });
  try {
    await worker.waitUntilReady();
    await queue.upsertJobScheduler(
      'bench',
      { every: 1000, startDate: startAt, limit: fires },
      { name: 'tick', data: {} },
    );
    await until(async () => (dues.length >= fires ? true : undefined), (fires + 30) * 1000, 'the job scheduler firing');
    await sleep(1500); // a fire more than asked for would show here
    return result('bullmq-scheduler', dues, late);
  } finally {
    await queue.removeJobScheduler('bench').catch(() => undefined);
    await Promise.all([worker.close(), queue.close()]);
    await sweepPrefix(redisUrl, prefix);
  }
}

/** Both at once, the first fire at the same whole second a few seconds from now. */
export async function runSchedules(redisUrl: string, fires = 20): Promise<ScheduleResult[]> {
  const startAt = Math.ceil((Date.now() + 8000) / 1000) * 1000;
  const settle = (name: string, p: Promise<ScheduleResult>) =>
    p.catch((err: unknown): ScheduleResult => ({
      name,
      fires: 0,
      doubles: 0,
      late: { p50: NaN, p99: NaN, max: NaN },
      error: err instanceof Error ? err.message : String(err),
    }));
  return Promise.all([
    settle('yieldflow', yieldflowSchedule(redisUrl, fires, startAt)),
    settle('bullmq-scheduler', bullmqScheduler(redisUrl, fires, startAt)),
  ]);
}
