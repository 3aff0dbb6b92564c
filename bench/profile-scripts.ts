/**
 * Where Yieldflow's time goes on the seed's workload, script by script: drives the store's own scripts
 * (create-1, claim-1, writeback-1) and the worker's Executor directly, in one process, on one partition,
 * and times every call. No worker processes, no timers: each phase runs as fast as it can, so the figures
 * are the cost per call and per task at a given batch size, not lateness.
 *
 *   node dist/bench/profile-scripts.js [--tasks N] [--batch 1000,250] [--redis URL]
 *
 * Per phase it prints: calls, tasks, the median and max round trip per call, µs per task, and what Redis
 * itself spent (INFO cpu delta, µs per task) and the Redis commands run per task (INFO commandstats
 * delta: commands called from Lua count there too). Redis is shared: the INFO deltas include whatever
 * other clients did meanwhile, so run it when Redis is otherwise idle and compare runs.
 * It writes under its own prefix and deletes it afterwards.
 */
import type Redis from 'ioredis';
import { createCoroutineRegistry } from '@yieldflow/contracts';
import { type ClaimedTask, connectRedis, type NewTask, TaskStore, type WritebackOp, newId } from '@yieldflow/store';
import { Executor } from '../apps/worker/src/executor';
import { sweepPrefix, uniquePrefix } from './redis';
import { median } from './stats';

interface PhaseStats {
  phase: string;
  batch: number;
  calls: number;
  tasks: number;
  ms: number[];
  nodeMs: number;
  redisCpuMs: number;
  commands: Record<string, number>;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/^used_cpu_user:([\d.]+)/m.exec(info)?.[1]);
  const sys = Number(/^used_cpu_sys:([\d.]+)/m.exec(info)?.[1]);
  return (user + sys) * 1000;
}

async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

class Meter {
  private cpu0 = 0;
  private cmd0: Record<string, number> = {};
  constructor(private readonly probe: Redis) {}
  async start(): Promise<void> {
    this.cmd0 = await commandCalls(this.probe);
    this.cpu0 = await redisCpuMs(this.probe);
  }
  async stop(s: PhaseStats): Promise<PhaseStats> {
    s.redisCpuMs = (await redisCpuMs(this.probe)) - this.cpu0;
    const cmd = await commandCalls(this.probe);
    for (const [k, v] of Object.entries(cmd)) {
      const d = v - (this.cmd0[k] ?? 0);
      // the meter's own INFO calls and the claim's EVALSHA wrapper are not the scripts' work
      if (d > 0 && k !== 'info' && k !== 'evalsha' && k !== 'eval') s.commands[k] = d;
    }
    return s;
  }
}

const phase = (name: string, batch: number): PhaseStats => ({
  phase: name,
  batch,
  calls: 0,
  tasks: 0,
  ms: [],
  nodeMs: 0,
  redisCpuMs: 0,
  commands: {},
});

async function profile(redisUrl: string, total: number, batch: number): Promise<PhaseStats[]> {
  const prefix = uniquePrefix('yf-scripts');
  const redis = connectRedis({ redisUrl });
  const probe = connectRedis({ redisUrl });
  const store = new TaskStore(redis, { prefix, partitions: 1 });
  const registry = createCoroutineRegistry();
  const executor = new Executor();
  const meter = new Meter(probe);
  const out: PhaseStats[] = [];
  try {
    await store.init();
    const token = `profile:${newId()}`;
    if ((await store.own(0, token, 600_000, 'take')) < 0) throw new Error('could not own partition 0');

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
    const s = phase('create', batch);
    await meter.start();
    for (let i = 0; i < total; i += batch) {
      const chunk = tasks.slice(i, i + batch);
      const t = performance.now();
      await store.create(chunk);
      s.ms.push(performance.now() - t);
      s.calls++;
      s.tasks += chunk.length;
    }
    out.push(await meter.stop(s));

    // One step for every due task: claim a batch, run it, write it back. `clock` is the claim's "now",
    // fixed for the phase and set ahead so that the sleeps of the phase before are due without waiting,
    // while the sleeps this phase sets (due 1 s after now, at the earliest) are not.
    const steps = async (name: string, clock: number | null): Promise<number> => {
      const claimS = phase(`claim (${name})`, batch);
      const wbS = phase(`writeback (${name})`, batch);
      // claims and write-backs alternate, so their Redis CPU is split by their share of the round trips
      await meter.start();
      for (;;) {
        let t = performance.now();
        const claim = await store.claim(0, token, batch, clock ?? Date.now());
        claimS.ms.push(performance.now() - t);
        if (!claim) throw new Error('lost the partition');
        if (claim.tasks.length === 0) {
          claimS.ms.pop();
          break;
        }
        claimS.calls++;
        claimS.tasks += claim.tasks.length;
        t = performance.now();
        const ops: WritebackOp[] = claim.tasks.map(
          (task: ClaimedTask) => executor.execute(task, registry.get(task.name)!, Date.now()).op,
        );
        const n = performance.now();
        claimS.nodeMs += n - t;
        const applied = await store.writeback(0, token, ops);
        wbS.ms.push(performance.now() - n);
        if (!applied || applied.some((a) => a === 0)) throw new Error('a write-back was not applied');
        wbS.calls++;
        wbS.tasks += ops.length;
      }
      const both = phase(name, batch);
      await meter.stop(both);
      const claimMs = claimS.ms.reduce((a, b) => a + b, 0);
      const wbMs = wbS.ms.reduce((a, b) => a + b, 0);
      claimS.redisCpuMs = (both.redisCpuMs * claimMs) / (claimMs + wbMs);
      wbS.redisCpuMs = both.redisCpuMs - claimS.redisCpuMs;
      claimS.commands = both.commands;
      out.push(claimS, wbS);
      return Date.now();
    };
    const started = await steps('start', null);
    const first = await steps("func_a's 1st resume", started + 1001);
    const second = await steps("func_a's 2nd resume", first + 1001);
    await steps("func_a's 3rd + func_b's resume", Math.max(second + 1001, started + 3001));
    const counts = await store.counts();
    if (counts.completed !== total) throw new Error(`not all completed: ${JSON.stringify(counts)}`);
    return out;
  } finally {
    redis.disconnect();
    probe.disconnect();
    await sweepPrefix(redisUrl, prefix).catch(() => 0);
  }
}

function fmt(n: number, d = 1): string {
  return Number.isFinite(n) ? n.toFixed(d) : '-';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (name: string, dflt: string): string => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
  };
  const total = Number(get('--tasks', '10000'));
  const batches = get('--batch', '1000,250').split(',').map(Number);
  const redisUrl = get('--redis', process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  const rows: string[] = [];
  rows.push(
    '| phase | batch | calls | tasks | ms/call median | ms/call max | µs/task (round trip) | Redis CPU µs/task | worker JS µs/task | Redis commands per task (claim + write-back together) |',
  );
  rows.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const b of batches) {
    for (const s of await profile(redisUrl, total, b)) {
      const sum = s.ms.reduce((a, x) => a + x, 0);
      const cmds = Object.entries(s.commands)
        .filter(([, v]) => v / s.tasks >= 0.05) // other clients' occasional commands
        .sort((a, c) => c[1] - a[1])
        .map(([k, v]) => `${k} ${fmt(v / s.tasks)}`)
        .join(', ');
      rows.push(
        `| ${s.phase} | ${s.batch} | ${s.calls} | ${s.tasks} | ${fmt(median(s.ms))} | ${fmt(Math.max(...s.ms))} | ${fmt((sum * 1000) / s.tasks)} | ` +
          `${fmt((s.redisCpuMs * 1000) / s.tasks)} | ${s.nodeMs ? fmt((s.nodeMs * 1000) / s.tasks) : ''} | ${s.phase.startsWith('writeback') ? '(with the claim above)' : cmds} |`,
      );
    }
  }
  process.stdout.write(rows.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
