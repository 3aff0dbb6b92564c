import Redis from 'ioredis';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * Pause at the store, driven by hand (no worker): a queued task, a task running at the pause (it pauses at
 * its next suspension), and a take-over of a partition holding one.
 */
describe('pause in the store', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  const token = 'owner-a';

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
    reader = new TaskReader(store);
    await store.init();
    expect(await store.own(0, token, 60_000, 'take')).toBe(0);
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const create = async (): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name: 'seed.func-b', input: null }]);
    return id;
  };
  const due = (id: string) => redis.zscore(`${keysOf(store).partition(0)}due`, id);
  const paused = async () => Number(await redis.hget(`${keysOf(store).partition(0)}cnt`, 'paused'));

  it('a queued task paused is not claimed; resumed, it is', async () => {
    const id = await create();
    await store.pause('default', id);
    expect(await due(id)).toBeNull();
    expect((await reader.get('default', id)).status).toBe('paused');
    expect(await paused()).toBe(1);
    expect((await store.claim(0, token, 100))!.tasks.map((t) => t.id)).not.toContain(id);
    await store.resume('default', id);
    expect(await paused()).toBe(0);
    const claim = await store.claim(0, token, 100);
    expect(claim!.tasks.map((t) => t.id)).toContain(id);
    expect((await reader.get('default', id)).status).toBe('running');
  });

  it('a task running at the pause pauses at its next suspension, out of the due set', async () => {
    const id = await create();
    await store.claim(0, token, 100);
    await store.pause('default', id, 'later');
    const running = await reader.get('default', id);
    expect(running).toMatchObject({ status: 'running', pauseRequested: true });
    const now = Date.now();
    const applied = await store.writeback(
      0,
      token,
      [{ id, seq: 0, o: 's', wk: 'sleep', w: '{"kind":"sleep","ms":10}', due: now + 10 }],
      now,
    );
    expect(applied).toEqual([1]);
    expect(await due(id)).toBeNull();
    expect(await reader.get('default', id)).toMatchObject({ status: 'paused', pauseNote: 'later' });
    expect(await paused()).toBe(1);
    // a write-back run ahead of that sleep does not commit while it is paused
    await new Promise((r) => setTimeout(r, 20));
    const ahead = await store.writeback(0, token, [
      { id, seq: 0, adv: now + 10, o: 'c', out: '"done"', e: '{"k":"sleep","r":null}' },
    ]);
    expect(ahead).toEqual([0]);
    await store.resume('default', id);
    // its timer is past: due at once
    expect(Number(await due(id))).toBeGreaterThanOrEqual(now + 10);
    expect(Number(await due(id))).toBeLessThanOrEqual(Date.now());
    expect(await paused()).toBe(0);
  });

  it('a take-over keeps a paused task paused, and a running one asked to pause becomes paused', async () => {
    const a = await create();
    const b = await create();
    await store.claim(0, token, 100);
    await store.pause('default', a);
    const before = await paused();
    // the owner dies; another takes the partition over and re-queues what it was running
    await redis.del(`${keysOf(store).partition(0)}own`);
    expect(await store.own(0, 'owner-b', 60_000, 'take')).toBeGreaterThanOrEqual(2);
    expect(await paused()).toBe(before + 1);
    const claimed = (await store.claim(0, 'owner-b', 100))!.tasks.map((t) => t.id);
    expect(claimed).toContain(b);
    expect(claimed).not.toContain(a);
    expect((await reader.get('default', a)).status).toBe('paused');
    await store.resume('default', a);
    expect((await store.claim(0, 'owner-b', 100))!.tasks.map((t) => t.id)).toContain(a);
  });
});
