import Redis from 'ioredis';
import { newId, TaskStore } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * A fork's last child result wakes its parent with every result in order. With 10,000 children (more
 * values than one Lua `unpack` can pass) that final delivery once failed every time it was retried, so
 * the parent never woke and the outbox item behind it blocked its partition's outbox.
 */
describe('fan-in of a 10,000-child spawn', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
    await store.init();
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('wakes the parent with all 10,000 results, in order', async () => {
    const n = 10_000;
    const parent = newId();
    // a parent suspended in a spawn of n children at step 0, as the write-back leaves it
    await redis.hset(keysOf(store).task(parent), {
      st: 'suspended',
      seq: 0,
      wk: 'spawn',
      cn: n,
      cm: 'all',
      ns: 'default',
    });
    let last = { code: -1, children: 0 };
    for (let i = 0; i < n; i += 500) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 500); j++)
        batch.push(store.deliverChild(parent, 0, j, { id: `c${j}`, status: 'completed', output: j }));
      const results = await Promise.all(batch);
      last = results[results.length - 1];
    }
    expect(last).toEqual({ code: 1, children: n });
    const res = JSON.parse((await redis.hget(keysOf(store).task(parent), 'res')) ?? '{}') as {
      r: { output: number }[];
    };
    expect(res.r).toHaveLength(n);
    expect(res.r.every((c, i) => c.output === i)).toBe(true);
  });
});
