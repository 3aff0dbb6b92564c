import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue, Worker as BullWorker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import { stepJobId } from '../../apps/worker/src/job-steps';
import { exited, spawnScript, untilPartitionsHeldBy } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

const SCRIPT = join(__dirname, '..', 'support', 'steps-worker.js');

/**
 * kill -9 of a worker while activity() and job() steps are in flight (a built worker process with test
 * coroutines, test/support/steps-worker.js; `npm run build` first). Another worker takes its partitions
 * over and every task completes.
 */
describe('a worker killed with SIGKILL during activity() and job() steps', () => {
  const config = testConfig({ partitions: 4 });
  const queueName = `q-${randomUUID().slice(0, 8)}`;
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379), maxRetriesPerRequest: null };
  let redis: Redis;
  let store: TaskStore;
  const procs: ReturnType<typeof spawnScript>[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    for (const name of [queueName, `${config.prefix}.steps`]) {
      const q = new Queue(name, { connection });
      await q.obliterate({ force: true });
      await q.close();
    }
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const worker = async (id: string) => {
    const p = spawnScript(SCRIPT, config, { WORKER_ID: id });
    procs.push(p);
    await untilPartitionsHeldBy(store, [id], 20_000);
    return p;
  };
  const allCompleted = (ids: string[]) =>
    eventually(
      async () => {
        const reader = new TaskReader(store);
        for (const id of ids) if ((await reader.get('default', id)).status !== 'completed') return undefined;
        return true;
      },
      60_000,
      250,
    );

  it('activity: a step journaled before the kill is never performed again; one in flight at most once more', async () => {
    const N = 200;
    const victim = await worker('victim');
    const ids = Array.from({ length: N }, () => newId());
    await store.create(
      ids.map((id) => ({
        id,
        namespace: 'default',
        kind: 'coroutine' as const,
        name: 't.activities',
        input: { ms: 100 },
      })),
    );
    const runsKey = `${config.prefix}:test:activity-runs`;
    // kill once the second activities are under way: the first ones are journaled by then, or in flight
    await eventually(async () => ((await redis.hlen(runsKey)) >= N * 1.5 ? true : undefined), 30_000, 5);
    victim.kill('SIGKILL');
    await exited(victim);

    // what the victim had performed, and which of those steps were journaled, when it died
    const performed = await redis.hgetall(runsKey);
    const journaled = new Set<string>();
    for (const id of ids)
      (await store.journal(id)).forEach((e, i) => e.k === 'activity' && journaled.add(`${id}:${i}`));
    const inFlight = Object.keys(performed).filter((k) => !journaled.has(k));
    expect(journaled.size).toBeGreaterThan(0);

    await worker('heir');
    await allCompleted(ids);
    const runs = await redis.hgetall(runsKey);
    const reader = new TaskReader(store);
    for (const id of ids) {
      expect((await reader.get('default', id)).output).toEqual([1, 3, 5]);
      for (const step of [1, 3, 5]) expect(Number(runs[`${id}:${step}`])).toBeGreaterThanOrEqual(1);
    }
    for (const k of journaled) expect(runs[k]).toBe('1');
    const repeated = Object.keys(runs).filter((k) => runs[k] !== '1');
    for (const k of repeated) {
      expect(runs[k]).toBe('2');
      expect(inFlight).toContain(k);
    }
  }, 90_000);

  it('job: each job runs once per step, and every task completes', async () => {
    const N = 100;
    const ran = new Map<string, number>();
    const users = new BullWorker(
      queueName,
      async (j: Job) => {
        ran.set(j.id!, (ran.get(j.id!) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, Math.random() * 200));
        return { step: (j.data as { i: number }).i };
      },
      { connection, concurrency: 20 },
    );
    try {
      const victim = await worker('victim2');
      const ids = Array.from({ length: N }, () => newId());
      await store.create(
        ids.map((id) => ({
          id,
          namespace: 'default',
          kind: 'coroutine' as const,
          name: 't.jobs',
          input: { queue: queueName, ms: 50 },
        })),
      );
      // kill while jobs are waiting, running, and being added
      await eventually(async () => (ran.size >= N * 0.6 ? true : undefined), 30_000, 5);
      victim.kill('SIGKILL');
      await exited(victim);
      await worker('heir2');
      await allCompleted(ids);

      const reader = new TaskReader(store);
      for (const id of ids) expect((await reader.get('default', id)).output).toEqual([{ step: 0 }, { step: 1 }]);
      const expected = ids.flatMap((id) => [stepJobId(config.prefix, id, 0), stepJobId(config.prefix, id, 2)]).sort();
      expect([...ran.keys()].sort()).toEqual(expected);
      expect([...ran.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await users.close();
    }
  }, 90_000);
});
