/**
 * `npm run bench`: the seed's workload at scale, for the system under test and its two peers,
 * one after the other in one run, each in its own child process. See bench/README.md.
 */
import * as os from 'node:os';
import { inprocess } from './peers/inprocess';
import { bullmqChain } from './peers/bullmq-chain';
import { LocalCluster } from './local-cluster';
import { redisVersion } from './redis';
import { resumeCost, type ResumeCost } from './resume-cost';
import { median } from './stats';
import { yieldflow, yieldflowCluster } from './systems/yieldflow';
import { runWideFork } from './wide-fork';
import { runSchedules, type ScheduleResult } from './schedule';
import { type JobStepResult, runJobSteps } from './job';
import { renderSoak, runSoak, type SoakResult } from './soak';
import { type ApiRow, renderApi, runApi } from './api';
import type { Result, RunOptions, System } from './types';

const SCENARIOS = ['big', 'scale', 'two', 'fork', 'schedule', 'job', 'api', 'soak', 'cost'] as const;
type ScenarioId = (typeof SCENARIOS)[number];
/** What `npm run bench` (and `--scenario all`) runs: every scenario, about ten minutes on 2 cores. */
const DEFAULT_SCENARIOS: ScenarioId[] = [...SCENARIOS];
/** `--scenario quick`: the ones that take seconds at their default sizes (no 100,000-task runs). */
const QUICK_SCENARIOS: ScenarioId[] = ['big', 'two', 'fork', 'schedule', 'job', 'api'];

/** Every system the runner knows, in the order they run. Peers first, the system under test last. */
const SYSTEMS: System[] = [inprocess, bullmqChain, yieldflow];

interface Options {
  pairs: number;
  only: string[] | null;
  redisUrl: string;
  json: boolean;
  repeat: number;
  smallRepeat: number;
  /** func_a/func_b pairs of the scale run (the big run at 100,000 tasks by default). */
  scalePairs: number;
  scenarios: Set<ScenarioId>;
  soakTasks: number;
  soakRetentionMs: number;
  /** A Redis Cluster for a yieldflow row of its own: 'local' (3 masters started here), or its nodes. */
  cluster: string | null;
  costTasks: number[];
  resumeSteps: number;
  branches: number;
  jobs: number;
  apiBatches: number;
  apiSeconds: number;
  concurrency: number;
  workers: number;
  pauseMs: number;
  timeoutMs: number;
  sut: string;
  measureMemory: boolean;
  partitions: number;
}

const USAGE = `usage: node dist/bench/run.js [options]
  --tasks N          func_a/func_b pairs in the big run (default 10000, i.e. 20,000 tasks)
  --only a,b         run only these systems (${SYSTEMS.map((s) => s.name).join(', ')}, and yieldflow-cluster with --cluster)
  --redis URL        Redis to use (default $REDIS_URL or redis://127.0.0.1:6379)
  --json             print the results as JSON on stdout (progress goes to stderr)
  --repeat K         runs per system in the big run; the median wall time is reported (default 1)
  --small-repeat K   runs per system in the two-task run (default 5)
  --scenario S[,S]   ${SCENARIOS.join(', ')}, quick (${QUICK_SCENARIOS.join(', ')}) or all (default)
  --scale-tasks N    func_a/func_b pairs in the scale run (default 50000, i.e. 100,000 tasks)
  --soak-tasks N     tasks the soak pushes through (default 200000)
  --soak-retention MS  retention of finished tasks in the soak (default 5000)
  --cluster [NODES]  also run yieldflow on a Redis Cluster, side by side: on NODES (host:port,...), or
                     without NODES on 3 masters started here on loopback (redis-server, redis-cli)
  --cost-tasks A,B   task counts of the cost scenario (default 1000,10000,100000)
  --resume-steps S   the cost scenario's late resume: at step S against step 10 (default 10000)
  --branches N       branches of the wide fork (default 10000)
  --jobs N           tasks of the job() scenario, and raw BullMQ jobs beside them (default 1000)
  --api-batches N    batches of 1,000 tasks the api scenario posts (default 20)
  --api-seconds S    length of the api scenario's single-request and send tests (default 5)
  --concurrency C    jobs at once per worker where the system has the knob (default 200)
  --workers W        worker processes for systems that start several (default: CPU cores)
  --pause MS         pause between systems (default 2000)
  --timeout S        abandon a run after S seconds (default 180)
  --sut NAME         the system under test, compared to the others (default yieldflow)
  --no-memory        do not measure Redis memory per suspended task
  --partitions P     partitions for systems that have them (yieldflow; default 16)`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    pairs: 10_000,
    only: null,
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    json: false,
    repeat: 1,
    smallRepeat: 5,
    scalePairs: 50_000,
    scenarios: new Set(DEFAULT_SCENARIOS),
    cluster: null,
    costTasks: [1000, 10_000, 100_000],
    soakTasks: 200_000,
    soakRetentionMs: 5000,
    resumeSteps: 10_000,
    branches: 10_000,
    jobs: 1000,
    apiBatches: 20,
    apiSeconds: 5,
    concurrency: 200,
    workers: os.cpus().length,
    pauseMs: 2000,
    timeoutMs: 180_000,
    sut: 'yieldflow',
    measureMemory: true,
    partitions: 16,
  };
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (a) {
      case '--tasks':
        o.pairs = int(a, next(), 1);
        break;
      case '--only':
        o.only = (next() ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--redis':
        o.redisUrl = next() ?? o.redisUrl;
        break;
      case '--json':
        o.json = true;
        break;
      case '--repeat':
        o.repeat = int(a, next(), 1);
        break;
      case '--scale-tasks':
        o.scalePairs = int(a, next(), 1);
        break;
      case '--small-repeat':
        o.smallRepeat = int(a, next(), 1);
        break;
      case '--scenario': {
        const picked = new Set<ScenarioId>();
        for (const v of (next() ?? '').split(',')) {
          if (v === 'all') DEFAULT_SCENARIOS.forEach((id) => picked.add(id));
          else if (v === 'quick') QUICK_SCENARIOS.forEach((id) => picked.add(id));
          else if ((SCENARIOS as readonly string[]).includes(v)) picked.add(v as ScenarioId);
          else throw new Error(`--scenario is ${SCENARIOS.join(', ')}, quick or all (or a list), got ${v}`);
        }
        o.scenarios = picked;
        break;
      }
      case '--cluster': {
        const v = argv[i + 1];
        o.cluster = v && !v.startsWith('--') ? (i++, v) : 'local';
        break;
      }
      case '--cost-tasks':
        o.costTasks = (next() ?? '').split(',').map((v) => int(a, v, 2));
        break;
      case '--resume-steps':
        o.resumeSteps = int(a, next(), 20);
        break;
      case '--branches':
        o.branches = int(a, next(), 1);
        break;
      case '--jobs':
        o.jobs = int(a, next(), 1);
        break;
      case '--api-batches':
        o.apiBatches = int(a, next(), 1);
        break;
      case '--api-seconds':
        o.apiSeconds = int(a, next(), 1);
        break;
      case '--soak-tasks':
        o.soakTasks = int(a, next(), 1);
        break;
      case '--soak-retention':
        o.soakRetentionMs = int(a, next(), 1);
        break;
      case '--concurrency':
        o.concurrency = int(a, next(), 1);
        break;
      case '--workers':
        o.workers = int(a, next(), 1);
        break;
      case '--pause':
        o.pauseMs = int(a, next(), 0);
        break;
      case '--timeout':
        o.timeoutMs = int(a, next(), 1) * 1000;
        break;
      case '--sut':
        o.sut = next() ?? o.sut;
        break;
      case '--no-memory':
        o.measureMemory = false;
        break;
      case '--partitions':
        o.partitions = int(a, next(), 1);
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (o.only) {
    const known = new Set([...SYSTEMS.map((s) => s.name), 'yieldflow-cluster']);
    const unknown = o.only.filter((n) => !known.has(n));
    if (unknown.length) throw new Error(`unknown system(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return o;
}

interface SystemOutcome {
  name: string;
  runs: Result[];
  error?: string;
  /** Median wall time over the runs. */
  wallMs?: number;
  /** The run whose wall time is the median (lower middle for an even count): its other figures are reported. */
  median?: Result;
}

interface Scenario {
  id: 'big' | 'two';
  title: string;
  pairs: number;
  repeat: number;
  systems: SystemOutcome[];
}

const log = (s: string): void => {
  process.stderr.write(s + '\n');
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ctrl-C stops the run after the current child has cleaned up; the figures so far are still printed. */
let interrupted = false;

async function runScenario(sc: Scenario, systems: System[], o: Options): Promise<void> {
  for (let si = 0; si < systems.length; si++) {
    const sys = systems[si];
    if (interrupted) return;
    if (si > 0) await sleep(o.pauseMs);
    const out: SystemOutcome = { name: sys.name, runs: [] };
    sc.systems.push(out);
    const opts: RunOptions = {
      pairs: sc.pairs,
      redisUrl: o.redisUrl,
      concurrency: o.concurrency,
      workers: o.workers,
      timeoutMs: o.timeoutMs,
      measureMemory: o.measureMemory,
      partitions: o.partitions,
    };
    for (let k = 0; k < sc.repeat && !interrupted; k++) {
      if (k > 0) await sleep(Math.min(o.pauseMs, 500));
      const tag = `[${sc.title}] ${sys.name} ${k + 1}/${sc.repeat}`;
      try {
        const r = await sys.run(opts);
        out.runs.push(r);
        log(
          `${tag}: ${r.tasks} tasks in ${fmtS(r.wallMs)}, lateness p50/p99/max ${r.lateP50}/${r.lateP99}/${r.lateMax} ms`,
        );
      } catch (err) {
        out.error = err instanceof Error ? err.message : String(err);
        log(`${tag}: failed: ${out.error}`);
        break;
      }
    }
    if (out.runs.length && !out.error) {
      const sorted = [...out.runs].sort((a, b) => a.wallMs - b.wallMs);
      out.median = sorted[(sorted.length - 1) >> 1];
      out.wallMs = median(out.runs.map((r) => r.wallMs));
    }
  }
}

// ---- formatting --------------------------------------------------------------------------------

function fmtS(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`;
}
function fmtMs(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '-' : `${Math.round(ms).toLocaleString('en-US')}`;
}
function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : Math.round(n).toLocaleString('en-US');
}
function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return 'n/a';
  if (b === 0) return a === 0 ? '1.00x' : 'n/a (peer 0 ms)';
  return `${(a / b).toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [
    line(header),
    '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.map(line),
  ].join('\n');
}

/** A failed system's row: its error goes in the wall time column, the other figures are '-'. */
function errorRow(s: SystemOutcome, width: number): string[] {
  const msg = s.error ?? 'no result';
  const row = [s.name, '-', `FAILED: ${msg.length > 60 ? msg.slice(0, 57) + '...' : msg}`];
  while (row.length < width) row.push('-');
  return row;
}

function renderBig(sc: Scenario): string {
  const header = [
    'system',
    'tasks',
    'wall time',
    'resumes/s',
    'late p50 ms',
    'late p99 ms',
    'late max ms',
    'Redis B/task',
    'submit',
    'start p99 ms',
  ];
  const rows = sc.systems.map((s) => {
    const r = s.median;
    if (!r || s.wallMs === undefined) return errorRow(s, header.length);
    return [
      s.name,
      fmtInt(r.tasks),
      fmtS(s.wallMs) + (s.runs.length > 1 ? ` (median of ${s.runs.length})` : ''),
      fmtInt(r.resumes / (s.wallMs / 1000)),
      fmtMs(r.lateP50),
      fmtMs(r.lateP99),
      fmtMs(r.lateMax),
      r.redisBytesPerTask === null ? 'none' : fmtInt(r.redisBytesPerTask),
      r.submitMs === undefined ? '-' : `${fmtMs(r.submitMs)} ms`,
      fmtMs(r.startP99),
    ];
  });
  return table(header, rows);
}

function renderTwo(sc: Scenario): string {
  const header = [
    'system',
    'tasks',
    'wall time (median)',
    'wall min..max',
    'late max ms (median run)',
    'late max ms (worst run)',
  ];
  const rows = sc.systems.map((s) => {
    const r = s.median;
    if (!r || s.wallMs === undefined) return errorRow(s, header.length);
    const walls = s.runs.map((x) => x.wallMs);
    return [
      s.name,
      fmtInt(r.tasks),
      fmtS(s.wallMs) + ` (${s.runs.length} runs)`,
      `${fmtS(Math.min(...walls))} .. ${fmtS(Math.max(...walls))}`,
      fmtMs(r.lateMax),
      fmtMs(Math.max(...s.runs.map((x) => x.lateMax))),
    ];
  });
  return table(header, rows);
}

interface RatioLine {
  sut: string;
  peer: string;
  wall?: number;
  p99?: number;
  max?: number;
  text: string;
}

function ratios(sc: Scenario, sut: string): RatioLine[] {
  const me = sc.systems.find((s) => s.name === sut);
  if (!me) return [];
  return sc.systems
    .filter((s) => s !== me)
    .map((peer) => {
      if (!me.median || me.wallMs === undefined) {
        return {
          sut,
          peer: peer.name,
          text: `${sut} vs ${peer.name}: n/a (${sut} failed: ${me.error ?? 'no result'})`,
        };
      }
      if (!peer.median || peer.wallMs === undefined) {
        return {
          sut,
          peer: peer.name,
          text: `${sut} vs ${peer.name}: n/a (${peer.name} failed: ${peer.error ?? 'no result'})`,
        };
      }
      const wall = me.wallMs / peer.wallMs;
      const p99 = peer.median.lateP99 > 0 ? me.median.lateP99 / peer.median.lateP99 : undefined;
      const max = peer.median.lateMax > 0 ? me.median.lateMax / peer.median.lateMax : undefined;
      const text =
        sc.id === 'big'
          ? `${sut} vs ${peer.name}: wall time ${ratio(me.wallMs, peer.wallMs)}, lateness p99 ${ratio(me.median.lateP99, peer.median.lateP99)}`
          : `${sut} vs ${peer.name}: wall time ${ratio(me.wallMs, peer.wallMs)}, max lateness ${ratio(me.median.lateMax, peer.median.lateMax)}`;
      return { sut, peer: peer.name, wall, p99, max, text };
    });
}

function machineLine(redis: string): { text: string; info: Record<string, string | number> } {
  const cpus = os.cpus();
  const info = {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavg1: Math.round(os.loadavg()[0] * 100) / 100,
    node: process.version,
    redis,
    date: new Date().toISOString(),
  };
  const text =
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, load ${info.loadavg1}, ` +
    `Node ${info.node}, Redis ${info.redis}, ${info.date}`;
  return { text, info };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping after the current run (Ctrl-C again to quit now)');
  });
  let local: LocalCluster | undefined;
  let clusterNodes: string | undefined;
  if (o.cluster === 'local') {
    local = new LocalCluster();
    log('[cluster] starting 3 masters on loopback');
    await local.start(3, 0);
    clusterNodes = local.addresses;
  } else if (o.cluster) clusterNodes = o.cluster;
  try {
    await report(o, clusterNodes);
  } finally {
    await local?.stop();
  }
}

async function report(o: Options, clusterNodes: string | undefined): Promise<void> {
  const all = clusterNodes ? [...SYSTEMS, yieldflowCluster(clusterNodes)] : SYSTEMS;
  const systems = o.only ? all.filter((s) => o.only?.includes(s.name)) : all;
  const machine = machineLine(await redisVersion(o.redisUrl));
  const out = (s: string): void => {
    if (o.json) log(s);
    else process.stdout.write(s + '\n');
  };
  out(machine.text);
  out(
    `workload: N x func_a (sleep 1 s three times) + N x func_b (sleep 3 s once), all submitted at once; ideal wall time 3.00 s`,
  );

  const scenarios: Scenario[] = [];
  if (o.scenarios.has('big'))
    scenarios.push({ id: 'big', title: `seed at scale, N=${o.pairs}`, pairs: o.pairs, repeat: o.repeat, systems: [] });
  if (o.scenarios.has('scale'))
    scenarios.push({
      id: 'big',
      title: `seed at scale, N=${o.scalePairs}`,
      pairs: o.scalePairs,
      repeat: 1,
      systems: [],
    });
  if (o.scenarios.has('two'))
    scenarios.push({ id: 'two', title: 'two tasks alone, N=1', pairs: 1, repeat: o.smallRepeat, systems: [] });

  for (let i = 0; i < scenarios.length && !interrupted; i++) {
    if (i > 0) await sleep(o.pauseMs);
    await runScenario(scenarios[i], systems, o);
  }

  let forks: Awaited<ReturnType<typeof runWideFork>> = [];
  if (o.scenarios.has('fork') && !interrupted) {
    if (scenarios.length) await sleep(o.pauseMs);
    log(`[wide fork] ${o.branches} branches, bullmq-flow then yieldflow`);
    forks = await runWideFork(o.redisUrl, o.branches, o.timeoutMs);
  }

  let schedules: ScheduleResult[] = [];
  if (o.scenarios.has('schedule') && !interrupted) {
    if (scenarios.length || forks.length) await sleep(o.pauseMs);
    log('[schedule] every second for 20 s, yieldflow and bullmq-scheduler at the same time');
    schedules = await runSchedules(o.redisUrl, 20);
  }

  let jobSteps: JobStepResult[] = [];
  if (o.scenarios.has('job') && !interrupted) {
    if (scenarios.length || forks.length || schedules.length) await sleep(o.pauseMs);
    log(`[job] ${o.jobs} raw BullMQ jobs, then ${o.jobs} tasks each yielding one job()`);
    jobSteps = await runJobSteps(o.redisUrl, o.jobs, o.timeoutMs);
  }

  let api: ApiRow[] = [];
  if (o.scenarios.has('api') && !interrupted) {
    if (scenarios.length || forks.length || schedules.length || jobSteps.length) await sleep(o.pauseMs);
    log(
      `[api] express-bullmq then yieldflow: ${o.apiBatches} batches of 1,000, then ${o.apiSeconds} s of single POSTs and of sends`,
    );
    api = await runApi({
      redisUrl: o.redisUrl,
      batches: o.apiBatches,
      seconds: o.apiSeconds,
      partitions: o.partitions,
    });
  }

  let soak: SoakResult | { error: string } | undefined;
  if (o.scenarios.has('soak') && !interrupted) {
    if (scenarios.length || forks.length || schedules.length || jobSteps.length || api.length) await sleep(o.pauseMs);
    log(`[soak] ${o.soakTasks} tasks, retention ${o.soakRetentionMs} ms`);
    soak = await runSoak({
      redisUrl: o.redisUrl,
      tasks: o.soakTasks,
      retentionMs: o.soakRetentionMs,
      workers: o.workers,
      partitions: o.partitions,
      timeoutMs: Math.max(o.timeoutMs, 60_000 + o.soakTasks),
    }).catch((err: unknown) => ({
      error: err instanceof Error ? err.message : String(err),
    }));
  }

  let cost: CostRow[] = [];
  let resumes: { name: string; r?: ResumeCost; error?: string }[] = [];
  if (o.scenarios.has('cost') && !interrupted) {
    if (scenarios.length || forks.length || schedules.length || jobSteps.length || soak) await sleep(o.pauseMs);
    ({ rows: cost, resumes } = await runCost(
      o,
      systems.filter((s) => s.name.startsWith('yieldflow')),
      clusterNodes,
    ));
  }

  const reported = scenarios.map((sc) => ({ sc, ratios: ratios(sc, o.sut) }));
  for (const { sc, ratios: rs } of reported) {
    out('');
    out(`${sc.title} (${2 * sc.pairs} tasks${sc.repeat > 1 ? `, median of ${sc.repeat} runs` : ''})`);
    out(sc.id === 'big' ? renderBig(sc) : renderTwo(sc));
    for (const r of rs) out(r.text);
    for (const s of sc.systems) {
      if (s.error && s.error.length > 60) out(`error (${s.name}): ${s.error}`);
      for (const n of s.median?.notes ?? []) out(`note (${s.name}): ${n}`);
    }
  }

  if (forks.length) {
    out('');
    out(
      `wide fork: one task forking ${fmtInt(o.branches)} one-step branches, beside 200 unrelated func_a tasks (their resume lateness)`,
    );
    out(
      table(
        ['system', 'wall', 'Redis CPU ms', 'unrelated lateness p50/p99/max ms'],
        forks.map((f) => [
          f.name,
          f.error ? `failed: ${f.error}` : fmtS(f.wallMs),
          fmtMs(f.redisCpuMs),
          f.late ? `${f.late.p50}/${f.late.p99}/${f.late.max}` : '-',
        ]),
      ),
    );
    const me = forks.find((f) => f.name === 'yieldflow');
    const peer = forks.find((f) => f.name === 'bullmq-flow');
    if (me && peer)
      out(
        `yieldflow vs bullmq-flow: wall time ${ratio(me.wallMs, peer.wallMs)}, Redis CPU ${ratio(me.redisCpuMs, peer.redisCpuMs)}`,
      );
  }

  if (schedules.length) {
    out('');
    out('schedule: every second for 20 s (20 fires), both systems at once; lateness = task start - fire time');
    out(
      table(
        ['system', 'fires', 'started twice', 'fire lateness p50/p99/max ms'],
        schedules.map((r) => [
          r.name,
          r.error ? `failed: ${r.error}` : String(r.fires),
          String(r.doubles),
          r.error ? '-' : `${r.late.p50}/${r.late.p99}/${r.late.max}`,
        ]),
      ),
    );
  }

  if (jobSteps.length) {
    out('');
    out(
      `job: jobs added at once, then paced; one BullMQ Worker (concurrency 50); what follows a job's completion, beside BullMQ's own completion latency`,
    );
    const pct = (l: { p50: number; p99: number; max: number }) => `${l.p50}/${l.p99}/${l.max}`;
    out(
      table(
        ['system', 'jobs', 'completed → next p50/p99/max ms', 'added → completed p50/p99/max ms'],
        jobSteps.map((r) => [
          r.name,
          String(r.completion.count || r.jobs),
          r.error ? `failed: ${r.error}` : pct(r.after),
          r.error ? '-' : pct(r.completion),
        ]),
      ),
    );
  }

  if (api.length) {
    out('');
    out(
      'api: one api process and one worker through REST (autocannon); batch = POST of 1,000 tasks, single = POST /v1/tasks at 50 connections, send = POST /send round trips by 20 consumers',
    );
    out(renderApi(api, table));
  }

  if (soak) {
    out('');
    out('error' in soak ? `soak: failed: ${soak.error}` : renderSoak(soak));
  }

  if (cost.length || resumes.length) {
    out('');
    out(
      'cost: the seed workload at each size (half func_a, half func_b), Redis CPU and memory summed over the masters',
    );
    out(
      table(
        [
          'system',
          'tasks',
          'wall time',
          'late p99 ms',
          'Redis CPU ms',
          'Redis CPU µs/task',
          'used_memory growth (all suspended)',
          'B/task',
          'MEMORY USAGE B/task',
        ],
        cost.map((c) =>
          c.error
            ? [c.name, fmtInt(c.tasks), `FAILED: ${c.error.slice(0, 60)}`, '-', '-', '-', '-', '-', '-']
            : [
                c.name,
                fmtInt(c.tasks),
                fmtS(c.wallMs),
                fmtMs(c.lateP99),
                fmtMs(c.redisCpuMs),
                fmtInt(((c.redisCpuMs ?? NaN) * 1000) / c.tasks),
                c.usedBytes === undefined ? '-' : `${(c.usedBytes / 2 ** 20).toFixed(1)} MiB`,
                fmtInt((c.usedBytes ?? NaN) / c.tasks),
                fmtInt(c.bytesPerTask),
              ],
        ),
      ),
    );
    for (const { name, r, error } of resumes) {
      if (!r) out(`one resume (${name}): failed: ${error}`);
      else
        out(
          `one resume (${name}), a task looping sleep(0): step 10 ${r.earlyMs.toFixed(3)} ms, step ${fmtInt(r.steps)} ${r.lateMs.toFixed(3)} ms ` +
            `(${ratio(r.lateMs, r.earlyMs)}, target at most 1.50x); cold, journal replayed: ${r.coldEarlyMs.toFixed(2)} ms vs ${r.coldLateMs.toFixed(2)} ms`,
        );
    }
  }

  if (o.json) {
    const json = {
      machine: machine.info,
      options: { ...o, scenarios: [...o.scenarios] },
      cost: { rows: cost, resumes },
      scenarios: reported.map(({ sc, ratios: rs }) => ({
        id: sc.id,
        title: sc.title,
        pairs: sc.pairs,
        tasks: 2 * sc.pairs,
        repeat: sc.repeat,
        systems: sc.systems.map((s) => ({
          name: s.name,
          error: s.error ?? null,
          wallMsMedian: s.wallMs ?? null,
          median: s.median ?? null,
          runs: s.runs,
        })),
        ratios: rs.map(({ text: _text, ...r }) => r),
      })),
      wideFork: forks,
      schedule: schedules,
      jobSteps,
      api,
      soak: soak ?? null,
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  }
}

interface CostRow {
  name: string;
  tasks: number;
  wallMs?: number;
  lateP99?: number;
  redisCpuMs?: number;
  usedBytes?: number;
  bytesPerTask?: number | null;
  error?: string;
}

/** The seed workload at each of `costTasks`, for yieldflow (and on the cluster), then the resume at step S. */
async function runCost(
  o: Options,
  systems: System[],
  clusterNodes: string | undefined,
): Promise<{ rows: CostRow[]; resumes: { name: string; r?: ResumeCost; error?: string }[] }> {
  const rows: CostRow[] = [];
  for (const tasks of o.costTasks) {
    for (const sys of systems) {
      if (interrupted) break;
      log(`[cost] ${sys.name} ${tasks} tasks`);
      try {
        const r = await sys.run({
          pairs: Math.max(1, Math.round(tasks / 2)),
          redisUrl: o.redisUrl,
          concurrency: o.concurrency,
          workers: o.workers,
          timeoutMs: o.timeoutMs,
          measureMemory: o.measureMemory,
          partitions: o.partitions,
        });
        rows.push({
          name: sys.name,
          tasks: r.tasks,
          wallMs: r.wallMs,
          lateP99: r.lateP99,
          redisCpuMs: r.redisCpuMs,
          usedBytes: r.redisUsedBytes,
          bytesPerTask: r.redisBytesPerTask,
        });
      } catch (err) {
        rows.push({ name: sys.name, tasks, error: err instanceof Error ? err.message : String(err) });
      }
      await sleep(o.pauseMs);
    }
  }
  const resumes: { name: string; r?: ResumeCost; error?: string }[] = [];
  for (const [name, nodes] of [
    ['yieldflow', undefined],
    ...(clusterNodes ? [['yieldflow-cluster', clusterNodes]] : []),
  ] as [string, string | undefined][]) {
    if (interrupted) break;
    log(`[cost] ${name}: one resume at step 10 and at step ${o.resumeSteps}`);
    try {
      resumes.push({ name, r: await resumeCost(o.redisUrl, o.resumeSteps, nodes) });
    } catch (err) {
      resumes.push({ name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { rows, resumes };
}

main().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
