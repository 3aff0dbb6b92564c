import fc from 'fast-check';
import Redis from 'ioredis';
import { type Coroutine, CoroutineRegistry, type Json, type JournalEntry, receive, sleep } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import { keysOf } from '../../libs/store/src/testing';
import { type Config } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

/**
 * The step after a sleep is run ahead of time and committed when the sleep falls due (ARCHITECTURE.md,
 * "The dispatcher is event-driven"). Whatever happens meanwhile (a value sent, a cancel, the partition's
 * lease lost and taken again, the worker restarted), a task's journal must be the one it gets with run-ahead
 * off. Each run drives the same script on two deployments side by side, one with run-ahead turned off.
 */

type Op = { k: 'sleep'; ms: number } | { k: 'recv' };
/** Done while the task waits at an op (a long sleep or a receive, so the wait outlasts the action). */
type Action = 'none' | 'cancel' | 'lose-lease' | 'restart';
interface Script {
  ops: Op[];
  actions: Action[];
}

const registry = new CoroutineRegistry().register('p.script', function* (input) {
  const ops = (input as { ops: Op[] }).ops;
  const got: Json[] = [];
  for (const [i, op] of ops.entries()) {
    if (op.k === 'sleep') got.push((yield sleep(op.ms, `s${i}`)) as Json);
    else got.push((yield receive(i)) as Json);
  }
  return got;
} as Coroutine);

const LONG = 250;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('sleep' as const), ms: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ k: fc.constant('sleep' as const), ms: fc.integer({ min: LONG, max: LONG + 100 }) }),
  fc.constant({ k: 'recv' as const }),
);
const scriptArb: fc.Arbitrary<Script> = fc
  .array(opArb, { minLength: 1, maxLength: 5 })
  .chain((ops) =>
    fc
      .tuple(
        ...ops.map((op) =>
          op.k === 'recv' || op.ms >= LONG
            ? fc.constantFrom<Action>('none', 'none', 'cancel', 'lose-lease', 'restart')
            : fc.constant<Action>('none'),
        ),
      )
      .map((actions) => ({ ops, actions })),
  );

/** One deployment: its own prefix, one partition, in-process workers (run-ahead on or off). */
class Deployment {
  readonly config: Config = testConfig({ partitions: 1 });
  readonly redis = new Redis(REDIS_URL);
  readonly store = new TaskStore(this.redis, { prefix: this.config.prefix, partitions: 1 });
  readonly reader = new TaskReader(this.store);
  workers: Worker[] = [];
  /** Steps run ahead of a sleep, counted (the arm with run-ahead on must exercise it). */
  ranAhead = 0;

  constructor(readonly runAhead: boolean) {}

  async start(): Promise<void> {
    const w = await createWorker(this.config, { heartbeatMs: 100, leaseMs: 400, registry, bullmq: false });
    // no setting turns run-ahead off: the dispatcher's one entry to it is replaced on this instance
    const d = w.dispatcher as unknown as { runAhead: (...a: unknown[]) => void };
    const original = d.runAhead.bind(d);
    d.runAhead = this.runAhead
      ? (...a: unknown[]) => {
          this.ranAhead++;
          original(...a);
        }
      : () => undefined;
    this.workers.push(w);
  }

  async stopAll(): Promise<void> {
    const stopping = this.workers;
    this.workers = [];
    await Promise.all(stopping.map((w) => w.close()));
  }

  /** The partition's lease lapses (as after a long pause): another worker, or this one under a new token, takes over. */
  async loseLease(): Promise<void> {
    if (this.workers.length < 2) await this.start();
    await this.redis.del(`${keysOf(this.store).partition(0)}own`);
  }

  async restart(): Promise<void> {
    await this.stopAll();
    await this.start();
  }

  async close(): Promise<void> {
    await this.stopAll();
    await dropPrefix(this.config.prefix);
    this.redis.disconnect();
  }
}

const TERMINAL = ['completed', 'faulted', 'cancelled'];

/** Drive one task through its script; returns what must not depend on run-ahead. */
async function drive(dep: Deployment, script: Script): Promise<unknown> {
  const id = newId();
  await dep.store.create([
    { id, namespace: 'default', kind: 'coroutine', name: 'p.script', input: { ops: script.ops } as Json },
  ]);
  for (const [i, op] of script.ops.entries()) {
    const action = script.actions[i];
    if (action === 'none' && op.k === 'sleep') continue;
    // it waits at op i: i entries journaled, suspended
    await eventually(
      async () => {
        const t = await dep.reader.get('default', id);
        if (TERMINAL.includes(t.status) || t.steps > i)
          throw new Error(`passed op ${i} before the driver saw it wait there (${t.status}, ${t.steps} steps)`);
        return t.steps === i && t.status === 'suspended' ? t : undefined;
      },
      10_000,
      5,
    );
    if (action === 'cancel') {
      await dep.store.cancel('default', id);
      break;
    }
    if (action === 'lose-lease') await dep.loseLease();
    if (action === 'restart') await dep.restart();
    if (op.k === 'recv') {
      await eventually(
        async () => ((await dep.store.send('default', id, `v${i}`)).accepted ? true : undefined),
        10_000,
        5,
      );
    }
  }
  const end = await eventually(
    async () => {
      const t = await dep.reader.get('default', id);
      return TERMINAL.includes(t.status) ? t : undefined;
    },
    15_000,
    10,
  );
  const journal = await dep.store.journal(id);
  return { status: end.status, output: end.output ?? null, journal: normalise(journal, Date.parse(end.createdAt)) };
}

interface Shock {
  atMs: number;
  what: 'lose-lease' | 'restart';
}
const shocksArb = fc.array(
  fc.record({ atMs: fc.integer({ min: 0, max: 700 }), what: fc.constantFrom<Shock['what']>('lose-lease', 'restart') }),
  { minLength: 1, maxLength: 3 },
);

/** Take-overs at given moments, whatever the task is doing then (a run-ahead step may be about to commit). */
async function shake(dep: Deployment, shocks: Shock[]): Promise<void> {
  const start = Date.now();
  for (const s of [...shocks].sort((a, b) => a.atMs - b.atMs)) {
    await new Promise((r) => setTimeout(r, Math.max(0, start + s.atMs - Date.now())));
    if (s.what === 'lose-lease') await dep.loseLease();
    else await dep.restart();
  }
}

/** Kinds and results; each sleep's due time measured from the step before it (a receive's clock is its arrival). */
function normalise(journal: JournalEntry[], created: number): unknown[] {
  let clock = created;
  return journal.map((e) => {
    const out = {
      k: e.k,
      r: e.r ?? null,
      e: e.e ?? null,
      after: e.k === 'sleep' && e.d !== undefined ? e.d - clock : null,
    };
    clock = e.d ?? e.t;
    return out;
  });
}

describe('run-ahead keeps every journal as it is without it', () => {
  const on = new Deployment(true);
  const off = new Deployment(false);
  beforeAll(async () => {
    await Promise.all([on.start(), off.start()]);
  });
  afterAll(async () => {
    await Promise.all([on.close(), off.close()]);
  });

  it('for random sleeps, sends, cancels, lease losses and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb, async (script) => {
        const [a, b] = await Promise.all([drive(on, script), drive(off, script)]);
        expect(a).toEqual(b);
        // a restarted or extra worker stays for the next run, as in a long-lived deployment
      }),
      // a failure prints its seed and counterexample; replay with { seed, path } here
      { numRuns: 25, verbose: true },
    );
    expect(on.ranAhead).toBeGreaterThan(0);
  });

  it('for three tasks at once in one partition (run-ahead commits batched, take-overs hitting them all)', async () => {
    const before = on.ranAhead;
    await fc.assert(
      fc.asyncProperty(fc.array(scriptArb, { minLength: 3, maxLength: 3 }), async (scripts) => {
        const [a, b] = await Promise.all([
          Promise.all(scripts.map((s) => drive(on, s))),
          Promise.all(scripts.map((s) => drive(off, s))),
        ]);
        expect(a).toEqual(b);
      }),
      { numRuns: 15, verbose: true },
    );
    expect(on.ranAhead).toBeGreaterThan(before);
  });

  it('for take-overs at random moments, not only while a task waits', async () => {
    const noCancel = scriptArb.map((s) => ({ ...s, actions: s.actions.map((a) => (a === 'cancel' ? 'none' : a)) }));
    await fc.assert(
      fc.asyncProperty(noCancel, shocksArb, async (script, shocks) => {
        const [[a], [b]] = await Promise.all([
          Promise.all([drive(on, script), shake(on, shocks)]),
          Promise.all([drive(off, script), shake(off, shocks)]),
        ]);
        expect(a).toEqual(b);
      }),
      { numRuns: 20, verbose: true },
    );
  });
});
