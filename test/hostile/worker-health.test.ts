import Redis from 'ioredis';
import { newId, TaskStore } from '@yieldflow/store';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/** A worker that cannot be woken notices it and recovers; counters that drift are reconciled. */
describe('worker health', () => {
  const config = testConfig({ partitions: 2 });
  let redis: Redis;
  let store: TaskStore;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('a worker whose wake subscription is lost subscribes again, and new tasks run', async () => {
    const w = await createWorker(config, { heartbeatMs: 250 });
    workers.push(w);
    await eventually(async () => (w.dispatcher.partitionsOwned.length === 2 ? true : undefined));
    // the subscription goes (as when a subscribe failed at start): wakes no longer reach the worker
    await (w.dispatcher as unknown as { subscriber: Redis }).subscriber.unsubscribe();
    expect(await redis.call('PUBSUB', 'NUMSUB', keysOf(store).wakeChannel)).toEqual([keysOf(store).wakeChannel, 0]);
    const id = newId();
    await store.create([
      { id, namespace: 'default', kind: 'coroutine', name: 'seed.func-a', input: null, fresh: true },
    ]);
    // started: only a wake (heard again) could have told the worker of it
    await eventually(
      async () => ((await redis.hget(keysOf(store).task(id), 'st')) !== 'queued' ? true : undefined),
      10_000,
    );
    expect(await redis.call('PUBSUB', 'NUMSUB', keysOf(store).wakeChannel)).toEqual([keysOf(store).wakeChannel, 1]);
    await w.close();
    workers.pop();
  });

  it('the running count is reconciled when a partition is taken over', async () => {
    const fresh = testConfig({ partitions: 2 }); // no task at all: nothing may count as running
    const counts = new TaskStore(redis, { prefix: fresh.prefix, partitions: 2 });
    await counts.init();
    for (let p = 0; p < 2; p++) await redis.hincrby(`${keysOf(counts).partition(p)}cnt`, 'running', 2); // drifted
    expect((await counts.counts()).running).toBe(4);
    const w = await createWorker(fresh, { heartbeatMs: 250 });
    workers.push(w);
    await eventually(async () => (w.dispatcher.partitionsOwned.length === 2 ? true : undefined));
    expect((await counts.counts()).running).toBe(0);
    await w.close();
    workers.pop();
    await dropPrefix(fresh.prefix);
  });
});
