import Redis, { ReplyError } from 'ioredis';
import { TaskStore } from '@yieldflow/store';
import { Outbox } from '../../apps/worker/src/outbox';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * The outbox carries work across partitions (a child's end to its parent, cancels, closes). Two drains
 * of one partition may overlap (a lease lost and taken again); neither may lose an item, and a drain by
 * a worker that no longer owns the partition applies nothing.
 */
describe('the outbox loses no item', () => {
  const config = testConfig({ partitions: 2 });
  let redis: Redis;
  let store: TaskStore;
  const ob = (p: number) => `${keysOf(store).partition(p)}ob`;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('two overlapping drains apply every one of 1,000 items, and none is left', async () => {
    const token = 'w1:t';
    expect(await store.own(0, token, 30_000, 'take')).toBeGreaterThanOrEqual(0);
    const ids = Array.from({ length: 1000 }, (_, i) => `task-${i}`);
    for (let i = 0; i < ids.length; i += 250)
      await redis.rpush(ob(0), ...ids.slice(i, i + 250).map((id) => JSON.stringify({ kind: 'close', id })));
    const applied = new Map<string, number>();
    const outbox = new Outbox(store);
    outbox.onClose = async (id) => {
      await redis.ping(); // an item takes a round trip to apply, as the real ones do
      applied.set(id, (applied.get(id) ?? 0) + 1);
    };
    await Promise.all([outbox.drain(0, token, 50), outbox.drain(0, token, 70)]);
    expect(ids.filter((id) => !applied.has(id))).toEqual([]);
    expect(await redis.llen(ob(0))).toBe(0);
  });

  it('an item a script refuses every time is set aside; the items behind it are applied', async () => {
    const token = 'w1:t';
    await redis.rpush(ob(0), ...['a', 'poison', 'b'].map((id) => JSON.stringify({ kind: 'close', id })));
    const applied: string[] = [];
    const outbox = new Outbox(store);
    outbox.onClose = async (id) => {
      if (id === 'poison') throw new ReplyError('ERR user_script:33: too many results to unpack');
      applied.push(id);
    };
    await outbox.drain(0, token);
    expect(applied).toEqual(['a', 'b']);
    expect(await redis.llen(ob(0))).toBe(0);
    const dead = (await redis.lrange(`${keysOf(store).partition(0)}obx`, 0, -1)).map((x) => JSON.parse(x));
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].item)).toEqual({ kind: 'close', id: 'poison' });
    expect(dead[0].reason).toContain('too many results to unpack');
  });

  it('a drain whose lease was lost applies nothing and removes nothing', async () => {
    expect(await store.own(1, 'old:t', 30_000, 'take')).toBeGreaterThanOrEqual(0);
    await store.own(1, 'old:t', 30_000, 'release');
    expect(await store.own(1, 'new:t', 30_000, 'take')).toBeGreaterThanOrEqual(0);
    await redis.rpush(ob(1), JSON.stringify({ kind: 'close', id: 'x' }), JSON.stringify({ kind: 'close', id: 'y' }));
    const applied: string[] = [];
    const outbox = new Outbox(store);
    outbox.onClose = async (id) => void applied.push(id);
    await outbox.drain(1, 'old:t');
    expect(applied).toEqual([]);
    expect(await redis.llen(ob(1))).toBe(2);
    await outbox.drain(1, 'new:t');
    expect(applied).toEqual(['x', 'y']);
    expect(await redis.llen(ob(1))).toBe(0);
  });
});
