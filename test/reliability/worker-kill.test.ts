import Redis from 'ioredis';
import { newId, partitionOf, TaskReader, TaskStore } from '@yieldflow/store';
import { exited, partitionOwners, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { StandIn } from './helpers';
import { keysOf } from '../../libs/store/src/testing';

/**
 * kill -9 of a worker while 1,000 tasks sleep and call HTTP (demo.sleep-call): every task completes,
 * every HTTP step reaches the callee once, or twice with the same Idempotency-Key when the call was in
 * flight at the kill, and no step's result is journaled twice.
 */
describe('a worker killed with SIGKILL while tasks call HTTP', () => {
  const N = 1000;
  const config = testConfig({ partitions: 8, httpAllow: ['127.0.0.1'] });
  // answers take 0-2 s (fixed per key), so at the kill some calls are answered and some in flight
  const standIn = new StandIn(() => Math.floor(Math.random() * 2000));
  let redis: Redis;
  let store: TaskStore;
  const procs: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    await standIn.start();
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await standIn.stop();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('completes every task; a call in flight at the kill is repeated at most once, with the same key', async () => {
    const victim = spawnApp('worker', config, { WORKER_ID: 'victim' });
    const survivor = spawnApp('worker', config, { WORKER_ID: 'survivor' });
    procs.push(victim, survivor);
    await untilPartitionsHeldBy(store, ['victim', 'survivor']);

    const ids = Array.from({ length: N }, () => newId());
    await store.create(
      ids.map((id) => ({
        id,
        namespace: 'default',
        kind: 'coroutine' as const,
        name: 'demo.sleep-call',
        input: { url: standIn.url, ms: 1000 },
      })),
    );

    // kill once about 40% of the calls are answered: the rest are in flight (or not yet made)
    await eventually(
      async () => (standIn.hits.filter((h) => h.answeredAt !== undefined).length >= N * 0.4 ? true : undefined),
      20_000,
      10,
    );
    const victimPartitions = new Set(
      (await partitionOwners(store)).flatMap((o, p) => (o?.startsWith('victim:') ? [p] : [])),
    );
    const killedAt = Date.now();
    const inFlightAtKill = standIn.inFlight;
    victim.kill('SIGKILL');
    await exited(victim);

    await eventually(
      async () => {
        const counts = await store.counts();
        return (counts.completed ?? 0) >= N ? counts : undefined;
      },
      30_000,
      100,
    );
    const allDoneAfterMs = Date.now() - killedAt;

    const reader = new TaskReader(store);
    const hits = standIn.byKey();
    const expectedKeys = new Set(ids.map((id) => `${id}:1`));
    // no request carried a key other than a task's HTTP step (the step after the first sleep)
    expect([...hits.keys()].filter((k) => !expectedKeys.has(k))).toEqual([]);
    let once = 0;
    let twice = 0;
    for (const id of ids) {
      const t = await reader.get('default', id);
      expect(t.status).toBe('completed');
      // the step results, each journaled once and in order: sleep, http, sleep
      expect(t.steps).toBe(3);
      expect(await redis.llen(keysOf(store).journal(id))).toBe(3);
      expect(t.suspensions.map((s) => s.kind)).toEqual(['sleep', 'http', 'sleep']);
      expect(t.output).toEqual({ key: `${id}:1` });
      const h = hits.get(`${id}:1`) ?? [];
      expect(h.length).toBeGreaterThanOrEqual(1);
      expect(h.length).toBeLessThanOrEqual(2);
      if (h.length === 1) once++;
      else {
        twice++;
        // repeated only because the call was made before the kill, by the killed worker, and again after
        expect(h[0].at).toBeLessThan(killedAt);
        expect(h[1].at).toBeGreaterThan(killedAt);
        expect(victimPartitions.has(partitionOf(id, config.partitions))).toBe(true);
      }
    }
    expect(once + twice).toBe(N);
    console.log(
      `worker kill -9: ${N} tasks completed ${allDoneAfterMs} ms after the kill; ${inFlightAtKill} calls in flight at the kill; ` +
        `keys hit once ${once}, twice ${twice}, more 0; victim held ${victimPartitions.size}/${config.partitions} partitions`,
    );
    survivor.kill('SIGTERM');
    expect(await exited(survivor)).toBe(0);
  }, 60_000);
});
