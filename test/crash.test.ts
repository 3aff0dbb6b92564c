import Redis from 'ioredis';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import { exited, spawnApp, untilPartitionsHeldBy } from './support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from './support/redis';

/** kill -9 of a worker during a run of 1,000 tasks: none lost, no step repeated. */
describe('a worker killed with SIGKILL', () => {
  const config = testConfig({ partitions: 8 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  const procs: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('loses no task, repeats no step, and its tasks go on elsewhere within 5 s', async () => {
    reader = new TaskReader(store);
    const victim = spawnApp('worker', config, { WORKER_ID: 'victim' });
    const survivor = spawnApp('worker', config, { WORKER_ID: 'survivor' });
    procs.push(victim, survivor);
    // both hold partitions before the run starts
    await untilPartitionsHeldBy(store, ['victim', 'survivor']);

    const ids = Array.from({ length: 1000 }, () => newId());
    await store.create(
      ids.map((id) => ({ id, namespace: 'default', kind: 'coroutine' as const, name: 'seed.func-a', input: null })),
    );
    await new Promise((r) => setTimeout(r, 1500)); // mid-run: every task between its first and second sleep
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    await exited(victim);

    await eventually(
      async () => {
        const counts = await store.counts();
        return (counts.completed ?? 0) >= 1000 ? counts : undefined;
      },
      20_000,
      200,
    );

    let recoveredLateMax = 0;
    for (const id of ids) {
      const t = await reader.get('default', id);
      expect(t.status).toBe('completed');
      // each step ran once: the journal holds exactly the three sleeps, in order
      expect(t.suspensions.map((s) => s.label)).toEqual(['a1', 'a2', 'a3']);
      expect(t.steps).toBe(3);
      for (const s of t.suspensions) {
        if (Date.parse(s.dueAt!) <= killedAt + 5000 && Date.parse(s.resumedAt) > killedAt)
          recoveredLateMax = Math.max(recoveredLateMax, s.lateMs!);
      }
    }
    // the killed worker's tasks resumed within 5 s of their due time
    expect(recoveredLateMax).toBeLessThan(5000);
    expect(recoveredLateMax).toBeGreaterThan(0);
    survivor.kill('SIGTERM');
    expect(await exited(survivor)).toBe(0);
  }, 60_000);
});
