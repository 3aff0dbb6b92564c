import Redis from 'ioredis';
import { newId, partitionOf, TaskStore } from '@yieldflow/store';
import { exited, partitionOwners, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { sleepMs, StandIn } from './helpers';
import { keysOf } from '../../libs/store/src/testing';

/**
 * SIGTERM to a worker holding HTTP calls in flight: it takes no new work, finishes the calls it holds,
 * hands its partitions over, and exits 0; nothing is lost and no call is made twice.
 */
describe('a worker stopped with SIGTERM', () => {
  const config = testConfig({ partitions: 8, httpAllow: ['127.0.0.1'] });
  const standIn = new StandIn(() => 3000); // every call is in flight for 3 s: longer than a lease
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

  it('finishes what it holds, takes nothing new, hands over and exits 0 without loss', async () => {
    const leaving = spawnApp('worker', config, { WORKER_ID: 'leaving' });
    const staying = spawnApp('worker', config, { WORKER_ID: 'staying' });
    procs.push(leaving, staying);
    await untilPartitionsHeldBy(store, ['leaving', 'staying']);

    const wave = (n: number) => {
      const ids = Array.from({ length: n }, () => newId());
      return store
        .create(
          ids.map((id) => ({
            id,
            namespace: 'default',
            kind: 'coroutine' as const,
            name: 'demo.sleep-call',
            input: { url: standIn.url, ms: 300 },
          })),
        )
        .then(() => ids);
    };
    const before = [...(await wave(250)), ...(await wave(250))];
    await eventually(async () => (standIn.inFlight >= 300 ? true : undefined), 20_000, 10);

    const leavingPartitions = new Set(
      (await partitionOwners(store)).flatMap((o, p) => (o?.startsWith('leaving:') ? [p] : [])),
    );
    // watch the hand-over: for each of its partitions, the last time it was still the leaving worker's
    const lastHeld = new Map<number, number>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const at = Date.now();
        (await partitionOwners(store)).forEach((o, p) => {
          if (o?.startsWith('leaving:')) lastHeld.set(p, at);
        });
        await sleepMs(20);
      }
    })();
    const termAt = Date.now();
    const inFlightAtTerm = standIn.inFlight;
    leaving.kill('SIGTERM');
    await sleepMs(300); // the signal is handled
    // work that arrives after SIGTERM, some of it in the leaving worker's partitions
    const after = [...(await wave(250)), ...(await sleepMs(300).then(() => wave(250)))];

    const code = await exited(leaving);
    const exitedAfterMs = Date.now() - termAt;
    expect(code).toBe(0);
    await eventually(
      async () => {
        const counts = await store.counts();
        return (counts.completed ?? 0) >= before.length + after.length ? counts : undefined;
      },
      30_000,
      100,
    );
    watching = false;
    await watch;

    // no loss, and every call made exactly once: what it held was finished, not abandoned to be repeated
    const hits = standIn.byKey();
    const all = [...before, ...after];
    expect(hits.size).toBe(all.length);
    for (const id of all) {
      expect(hits.get(`${id}:1`)?.length).toBe(1);
      const [st, seq, sa] = await redis.hmget(keysOf(store).task(id), 'st', 'seq', 'sa');
      expect([st, seq]).toEqual(['completed', '3']);
      // taken no new work: the tasks that arrived after SIGTERM in its partitions started only once another worker owned them
      const p = partitionOf(id, config.partitions);
      if (after.includes(id) && leavingPartitions.has(p))
        expect(Number(sa)).toBeGreaterThanOrEqual(lastHeld.get(p) ?? termAt);
    }
    const handedOver = after.filter((id) => leavingPartitions.has(partitionOf(id, config.partitions))).length;
    expect(handedOver).toBeGreaterThan(0);
    console.log(
      `worker SIGTERM: ${inFlightAtTerm} calls in flight at the signal; exited 0 after ${exitedAfterMs} ms; ${all.length} tasks completed, ` +
        `every key hit exactly once; ${handedOver} tasks that arrived in its partitions after the signal ran elsewhere after the hand-over`,
    );
    staying.kill('SIGTERM');
    expect(await exited(staying)).toBe(0);
  }, 60_000);
});
