/**
 * `--scenario api`: throughput through the REST api, measured with autocannon (its programmatic API)
 * against a real api process (`dist/apps/api/src/main.js`) and one worker process on the bench's own
 * Redis prefix, and beside it the same requests against a minimal Express app doing BullMQ
 * `queue.add` / `addBulk` (bench/peers/express-bullmq.ts).
 *
 *   batch   `POST /v1/batches` of 1,000 tasks, `batches` times, 4 at once: tasks/s
 *   single  `POST /v1/tasks`, 50 connections for `seconds`: requests/s, p50/p99
 *   send    `POST /v1/tasks/:id/send`, 20 connections each driving its own `seed.num` task (it yields what
 *           it is sent, so each answer is a full round trip: value in, task resumed by the worker, the
 *           yielded value back): round trips/s, p50/p99. The peer: a job added and awaited with
 *           `waitUntilFinished`, processed by a BullMQ Worker that returns the value.
 *
 * Load generator, api, worker and Redis share the machine's cores: the figures are a floor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { connectRedis, TaskStore } from '@yieldflow/store';
import { benchTarget, sweepPrefix, uniquePrefix } from './redis';
import { spawnWorker, stopWorker, waitForOwners, type WorkerProcess } from './systems/yieldflow';

export interface ApiRow {
  system: string;
  test: 'batch' | 'single' | 'send';
  /** tasks/s for batch, requests/s for single, round trips/s for send */
  rate: number;
  p50?: number;
  p99?: number;
  errors: number;
  error?: string;
}

export interface ApiOptions {
  redisUrl: string;
  batches: number;
  seconds: number;
  partitions: number;
}

/** The targets of issue 11, beside each figure. */
export const API_TARGETS: Record<ApiRow['test'], { rate: number; p99?: number; unit: string }> = {
  batch: { rate: 50_000, unit: 'tasks/s' },
  single: { rate: 5000, p99: 50, unit: 'requests/s' },
  send: { rate: 5000, p99: 20, unit: 'round trips/s' },
};

const BATCH_SIZE = 1000;
const SINGLE_CONNECTIONS = 50;
const SEND_CONSUMERS = 20;
const API_MAIN = path.join(__dirname, '..', 'apps', 'api', 'src', 'main.js');
const PEER_MAIN = path.join(__dirname, 'peers', 'express-bullmq.js');
const JSON_HEADERS = { 'content-type': 'application/json' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(main: string, env: NodeJS.ProcessEnv, args: string[] = []): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, [...args, main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  const keep = (d: Buffer): void => {
    child.output.push(d.toString());
    if (child.output.length > 100) child.output.splice(0, child.output.length - 100);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

/** Extra node flags for the api process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), for profiling. */
function nodeArgs(): string[] {
  return (process.env.YF_BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

async function waitForHttp(base: string, pathName: string, child: ChildProcess & { output: string[] }): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited before it listened: ${child.output.join('').slice(-500)}`);
    try {
      const res = await fetch(base + pathName);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`not listening after 30 s: ${child.output.join('').slice(-500)}`);
    await sleep(100);
  }
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function row(system: string, test: ApiRow['test'], r: autocannon.Result, perRequest: number): ApiRow {
  const ok = r['2xx'];
  return {
    system,
    test,
    rate: (ok * perRequest) / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

interface Paths {
  batch: string;
  single: string;
  send: (id: string) => string;
}

/** The three measurements against one server: `ids` are the send test's tasks (one per connection). */
async function measure(system: string, base: string, paths: Paths, ids: string[], o: ApiOptions): Promise<ApiRow[]> {
  const rows: ApiRow[] = [];
  const task = { coroutine: 'seed.consumer', input: null };
  const batchBody = JSON.stringify({ tasks: Array.from({ length: BATCH_SIZE }, () => task) });
  const batch = await autocannon({
    url: base + paths.batch,
    method: 'POST',
    headers: JSON_HEADERS,
    body: batchBody,
    connections: 4,
    amount: o.batches,
    // with `amount`, autocannon ends (and times the run) at its next sample: at the default 1 s the
    // batch run's duration was rounded up to whole seconds
    sampleInt: 10,
    timeout: 30,
  });
  rows.push(row(system, 'batch', batch, BATCH_SIZE));
  await sleep(1000);
  const single = await autocannon({
    url: base + paths.single,
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(task),
    connections: SINGLE_CONNECTIONS,
    duration: o.seconds,
  });
  rows.push(row(system, 'single', single, 1));
  await sleep(1000);
  let next = 0;
  let n = 0;
  const send = await autocannon({
    url: base,
    connections: ids.length,
    duration: o.seconds,
    requests: [
      {
        method: 'POST',
        headers: JSON_HEADERS,
        // each connection drives one task of its own: a task takes one value at a time
        setupRequest: (req, context) => {
          if (context.id === undefined) context.id = ids[next++ % ids.length];
          return { ...req, path: paths.send(context.id as string), body: JSON.stringify({ value: ++n }) };
        },
      },
    ],
  });
  rows.push(row(system, 'send', send, 1));
  return rows;
}

async function runYieldflow(o: ApiOptions): Promise<ApiRow[]> {
  const prefix = uniquePrefix('api');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { REDIS_URL: o.redisUrl, YF_PREFIX: prefix, PARTITIONS: String(o.partitions), LOG_LEVEL: 'warn' };
  const redis = connectRedis(benchTarget(o.redisUrl));
  let api: (ChildProcess & { output: string[] }) | undefined;
  let worker: WorkerProcess | undefined;
  try {
    worker = spawnWorker({ redisUrl: o.redisUrl, prefix }, o.partitions, 0);
    const store = new TaskStore(redis, { prefix, partitions: o.partitions });
    await waitForOwners(redis, store, o.partitions, [worker], 30_000);
    api = startProcess(
      API_MAIN,
      {
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        AUTH: 'off',
        RATE_LIMIT_PER_MINUTE: '0',
        LIMIT_BODY_BYTES: String(8 * 1024 * 1024),
      },
      nodeArgs(),
    );
    await waitForHttp(base, '/health/live', api);
    const ids: string[] = [];
    for (let i = 0; i < SEND_CONSUMERS; i++) {
      const t = await post(`${base}/v1/tasks`, { coroutine: 'seed.num' });
      ids.push(t.id as string);
    }
    // each is suspended in its first receive once its first send answers
    for (const id of ids) await post(`${base}/v1/tasks/${id}/send`, { value: 0 });
    return await measure(
      'yieldflow',
      base,
      { batch: '/v1/batches', single: '/v1/tasks', send: (id) => `/v1/tasks/${id}/send` },
      ids,
      o,
    );
  } finally {
    if (api) await stopWorker(api, 5000);
    if (worker) await stopWorker(worker, 5000);
    redis.disconnect();
    await sweepPrefix(o.redisUrl, prefix);
  }
}

async function runPeer(o: ApiOptions): Promise<ApiRow[]> {
  const prefix = uniquePrefix('api-peer');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const peer = startProcess(PEER_MAIN, { REDIS_URL: o.redisUrl, BULL_PREFIX: prefix, PORT: String(port) });
  try {
    await waitForHttp(base, '/', peer);
    const ids = Array.from({ length: SEND_CONSUMERS }, (_, i) => `c${i}`);
    return await measure(
      'express-bullmq',
      base,
      { batch: '/batches', single: '/tasks', send: (id) => `/send/${id}` },
      ids,
      o,
    );
  } finally {
    await stopWorker(peer, 5000);
    await sweepPrefix(o.redisUrl, prefix);
  }
}

/** Both systems, one after the other; a system that fails gets one row with its error. */
export async function runApi(o: ApiOptions): Promise<ApiRow[]> {
  const rows: ApiRow[] = [];
  for (const [system, run] of [
    ['express-bullmq', runPeer],
    ['yieldflow', runYieldflow],
  ] as const) {
    try {
      rows.push(...(await run(o)));
    } catch (err) {
      rows.push({
        system,
        test: 'batch',
        rate: NaN,
        errors: 0,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    await sleep(1000);
  }
  return rows;
}

const fmt = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US');

/** The table: one line per test and system, the target beside it, and the ratio to the peer. */
export function renderApi(rows: ApiRow[], table: (header: string[], rows: string[][]) => string): string {
  const lines: string[][] = [];
  for (const test of ['batch', 'single', 'send'] as const) {
    const t = API_TARGETS[test];
    const peer = rows.find((r) => r.system === 'express-bullmq' && r.test === test);
    for (const r of rows.filter((x) => x.test === test || (x.error && test === 'batch'))) {
      if (r.error) {
        lines.push([r.system, test, `FAILED: ${r.error.slice(0, 80)}`, '-', '-', '-', '-', '-', '-']);
        continue;
      }
      const met = r.rate >= t.rate && (t.p99 === undefined || (r.p99 ?? Infinity) < t.p99);
      lines.push([
        r.system,
        test,
        `${fmt(r.rate)} ${t.unit}`,
        `${fmt(t.rate)}${t.p99 ? `, p99 < ${t.p99} ms` : ''}`,
        met ? 'yes' : 'no',
        test === 'batch' ? '-' : fmt(r.p50),
        test === 'batch' ? '-' : fmt(r.p99),
        fmt(r.errors),
        r.system !== 'express-bullmq' && peer && !peer.error ? `${(r.rate / peer.rate).toFixed(2)}x` : '-',
      ]);
    }
  }
  return table(['system', 'test', 'throughput', 'target', 'met', 'p50 ms', 'p99 ms', 'errors', 'vs peer'], lines);
}
