import Redis from 'ioredis';
import { childId, newId, scriptSources, TaskStore } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * The Lua scripts one by one on a real Redis: what each is given, what it does to the keys, and what it
 * answers. (The write-back and claim are exercised through the engine's suites and test/hostile.)
 */
describe('the store scripts', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;
  const P = () => keysOf(store).partition(0);
  const task = (id: string) => keysOf(store).task(id);

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1, maxInbox: 2 });
    await store.init();
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('every script, as assembled, compiles in Redis', async () => {
    for (const [file, lua] of scriptSources()) {
      const sha = (await redis.script('LOAD', lua)) as string;
      expect({ file, sha }).toEqual({ file, sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    }
  });

  describe('create-1', () => {
    it('queues each task due now, indexes it, counts it; a task whose id exists is left alone', async () => {
      const id = newId();
      const parent = { id: 'root', seq: 2, index: 0, depth: 1, root: 'root' };
      expect(
        await store.create(
          [{ id, namespace: 'ns', kind: 'coroutine', name: 'seed.num', input: { a: 1 }, parent }],
          1000,
        ),
      ).toEqual([true]);
      expect(await redis.hgetall(task(id))).toMatchObject({
        ns: 'ns',
        kind: 'c',
        name: 'seed.num',
        in: '{"a":1}',
        st: 'queued',
        seq: '0',
        ca: '1000',
        par: 'root',
        pseq: '2',
        pidx: '0',
        dp: '1',
        rt: 'root',
      });
      expect(await redis.zscore(`${P()}due`, id)).toBe('1000');
      expect(await redis.zcard(`${P()}idx:ns`)).toBe(1);
      expect(await redis.hget(`${P()}cnt`, 'queued')).toBe('1');
      expect(
        await store.create([{ id, namespace: 'ns', kind: 'coroutine', name: 'other', input: null }], 2000),
      ).toEqual([false]);
      expect(await redis.hget(task(id), 'name')).toBe('seed.num');
    });
  });

  describe('createThen', () => {
    it('runs the added commands after the create in its pipeline, and after admission for a limited task', async () => {
      const id = newId();
      const plain = await store.createThen(
        [{ id, namespace: 'ns', kind: 'coroutine', name: 'seed.num', input: null }],
        1000,
        (pipeline) => pipeline.hget(task(id), 'st'),
      );
      expect(plain).toEqual({ created: [true], after: [[null, 'queued']] });

      const limited = newId();
      const slot = { prefix: keysOf(store).slot('ns', 'createThen'), limit: 1 };
      const r = await store.createThen(
        [{ id: limited, namespace: 'ns', kind: 'coroutine', name: 'seed.num', input: null, slot }],
        1000,
        (pipeline) => pipeline.hget(task(limited), 'cw'),
      );
      // it got the slot at once: admitted (no longer waiting) before the read
      expect(r).toEqual({ created: [true], after: [[null, null]] });
      expect(await redis.zscore(`${P()}due`, limited)).not.toBeNull();
    });
  });

  describe('own-1', () => {
    it('takes a free partition, renews and releases it for its token only, and refuses another', async () => {
      const s = new TaskStore(redis, { prefix: `${config.prefix}-own`, partitions: 1 });
      expect(await s.own(0, 'a', 10_000, 'take')).toBe(0);
      expect(await s.own(0, 'b', 10_000, 'take')).toBe(-2);
      expect(await s.own(0, 'a', 10_000, 'renew')).toBe(-1);
      expect(await s.own(0, 'b', 10_000, 'release')).toBe(-2);
      expect(await s.own(0, 'a', 10_000, 'release')).toBe(-1);
      expect(await s.own(0, 'b', 10_000, 'take')).toBe(0);
      await dropPrefix(`${config.prefix}-own`);
    });

    it("a take-over re-queues the old owner's active tasks and resets the running count", async () => {
      const s = new TaskStore(redis, { prefix: `${config.prefix}-take`, partitions: 1 });
      const p = keysOf(s).partition(0);
      await redis.hset(keysOf(s).task('r1'), { st: 'running', seq: 3, wk: 'sleep', la: 1 });
      await redis.hset(keysOf(s).task('r2'), { st: 'running', seq: 0, la: 1 });
      await redis.zadd(`${p}act`, 1, 'r1', 1, 'r2');
      await redis.hset(`${p}cnt`, 'running', 7);
      expect(await s.own(0, 'new', 10_000, 'take', 5000)).toBe(2);
      expect(await redis.hget(keysOf(s).task('r1'), 'st')).toBe('suspended');
      expect(await redis.hget(keysOf(s).task('r2'), 'st')).toBe('queued');
      expect(await redis.zrange(`${p}due`, 0, -1, 'WITHSCORES')).toEqual(['r1', '5000', 'r2', '5000']);
      expect(await redis.exists(`${p}act`)).toBe(0);
      expect(await redis.hget(`${p}cnt`, 'running')).toBe('0');
      await dropPrefix(`${config.prefix}-take`);
    });
  });

  describe('send-1', () => {
    it('buffers for a running task, wakes one suspended in receive, refuses others, and bounds the inbox', async () => {
      const id = newId();
      await redis.hset(task(id), { st: 'running', ns: 'ns', seq: 1 });
      const first = await store.send('ns', id, 'v1', 100);
      expect(first).toMatchObject({ accepted: true, status: 'running', position: 1, ticket: 1 });
      expect(await redis.zscore(`${P()}due`, id)).toBeNull(); // running: kept for its next receive
      await redis.hset(task(id), { st: 'suspended', wk: 'receive' });
      expect(await store.send('ns', id, 'v2', 200)).toMatchObject({
        accepted: true,
        status: 'suspended',
        position: 2,
        ticket: 2,
      });
      expect(await redis.zscore(`${P()}due`, id)).toBe('200');
      expect(await redis.lrange(keysOf(store).inbox(id), 0, -1)).toEqual(['"v1"', '"v2"']);
      await expect(store.send('ns', id, 'v3')).rejects.toThrow(/already holds 2 values/);
      await expect(store.send('other', id, 'v')).rejects.toThrow(/task/);
      await redis.hset(task(id), { wk: 'sleep' });
      expect((await store.send('ns', id, 'v')).accepted).toBe(false);
    });
  });

  describe('resolve-1', () => {
    it('stores an effect result once, and tells apart a task that moved on', async () => {
      const id = newId();
      await redis.hset(task(id), { st: 'suspended', seq: 4 });
      await redis.zadd(`${P()}act`, 1, id);
      expect(await store.resolve(id, 4, { r: 'ok' }, 300)).toBe(1);
      expect(await redis.hmget(task(id), 'res', 'due')).toEqual(['{"r":"ok"}', '300']);
      expect(await redis.zscore(`${P()}act`, id)).toBeNull();
      expect(await store.resolve(id, 4, { r: 'again' })).toBe(0);
      expect(await redis.hget(task(id), 'res')).toBe('{"r":"ok"}');
      expect(await store.resolve(id, 3, { r: 'old step' })).toBe(-1);
      await redis.hset(task(id), 'st', 'cancelled');
      expect(await store.resolve(id, 4, null)).toBe(-1);
    });
  });

  describe('child-1', () => {
    it("keeps each child's result once; 'all' wakes the parent with every result in order, 'any' with the first", async () => {
      const all = newId();
      await redis.hset(task(all), { st: 'suspended', seq: 1, wk: 'spawn', cn: 2, cm: 'all' });
      expect(await store.deliverChild(all, 1, 1, { id: 'c1', status: 'completed', output: 'b' }, 10)).toEqual({
        code: 0,
        children: 2,
      });
      expect(await store.deliverChild(all, 1, 1, { id: 'c1', status: 'completed', output: 'again' }, 10)).toEqual({
        code: 0,
        children: 2,
      });
      expect(await store.deliverChild(all, 1, 0, { id: 'c0', status: 'completed', output: 'a' }, 20)).toEqual({
        code: 1,
        children: 2,
      });
      expect(JSON.parse((await redis.hget(task(all), 'res'))!)).toEqual({
        r: [
          { id: 'c0', status: 'completed', output: 'a' },
          { id: 'c1', status: 'completed', output: 'b' },
        ],
      });
      expect(await redis.zscore(`${P()}due`, all)).toBe('20');
      expect(await store.deliverChild(all, 1, 0, { id: 'c0', status: 'completed' })).toEqual({ code: 0, children: 0 }); // woken already

      const any = newId();
      await redis.hset(task(any), { st: 'suspended', seq: 1, wk: 'spawn', cn: 3, cm: 'any' });
      expect(await store.deliverChild(any, 1, 2, { id: 'c2', status: 'completed', output: 'first' })).toEqual({
        code: 2,
        children: 3,
      });
      expect(await store.deliverChild(any, 1, 0, { id: 'c0', status: 'completed' })).toEqual({ code: 0, children: 0 });
    });
  });

  describe('event-1', () => {
    it('two events published in the same millisecond are both buffered, in order, for a later wait', async () => {
      const ev = (n: number) => ({
        specversion: '1.0',
        id: `same-ms-${n}`,
        type: 'same.ms',
        source: 't',
        time: new Date(5000).toISOString(),
        data: n,
      });
      await store.publishEvent('ns', ev(1), 5000);
      await store.publishEvent('ns', ev(2), 5000);
      const buffered = await redis.zrange(`${P()}eb:ns:same.ms`, 0, -1, 'WITHSCORES');
      expect(buffered.filter((_, i) => i % 2 === 0).map((ref) => ref.split(' ')[1])).toEqual([
        'same-ms-1',
        'same-ms-2',
      ]);
      const scores = buffered.filter((_, i) => i % 2 === 1).map(Number);
      expect(scores[1]).toBeGreaterThan(scores[0]); // a cursor past the first still finds the second
    });
  });

  describe('close-1', () => {
    it("appends a cancelled task's closing trace once", async () => {
      const id = newId();
      await redis.hset(task(id), { st: 'cancelled' });
      expect(await store.closed(id, ['{"a":1}', '{"b":2}'])).toBe(true);
      expect(await store.closed(id, ['{"again":1}'])).toBe(false);
      expect(await redis.lrange(keysOf(store).trace(id), 0, -1)).toEqual(['{"a":1}', '{"b":2}']);
      const running = newId();
      await redis.hset(task(running), { st: 'running' });
      expect(await store.closed(running, ['{"x":1}'])).toBe(false);
    });
  });

  describe('descend-1', () => {
    it("counts each spawn's children against its root once", async () => {
      expect(await store.countDescendants('root-x', 'p:1', 10)).toBe(10);
      expect(await store.countDescendants('root-x', 'p:1', 10)).toBe(10); // a repeat after a crash
      expect(await store.countDescendants('root-x', 'q:3', 5)).toBe(15);
      expect(await redis.pttl(`${keysOf(store).partitionOfTask('root-x')}dc:root-x`)).toBeGreaterThan(0);
    });
  });

  describe('outbox-1', () => {
    it('reads and acknowledges for the owner only, and only the items it read', async () => {
      const s = new TaskStore(redis, { prefix: `${config.prefix}-ob`, partitions: 1 });
      const ob = `${keysOf(s).partition(0)}ob`;
      await s.own(0, 'me', 10_000, 'take');
      await redis.rpush(ob, 'a', 'b', 'c');
      expect(await s.peekOutbox(0, 'someone', 2)).toBeNull();
      const items = (await s.peekOutbox(0, 'me', 2))!;
      expect(items).toEqual(['a', 'b']);
      expect(await s.ackOutbox(0, 'someone', items)).toBe(-2);
      expect(await s.ackOutbox(0, 'me', ['a', 'x'])).toBe(0); // not what is at the head
      expect(await s.ackOutbox(0, 'me', items)).toBe(1);
      expect(await redis.lrange(ob, 0, -1)).toEqual(['c']);
      await dropPrefix(`${config.prefix}-ob`);
    });
  });

  it('child ids stay readable while short and bounded when deep', () => {
    expect(childId('abc', 3, 1)).toBe('abc.3.1');
    const deep = childId('x'.repeat(80), 3, 1);
    expect(deep.length).toBeLessThanOrEqual(40);
    expect(childId('x'.repeat(80), 3, 1)).toBe(deep);
  });
});
