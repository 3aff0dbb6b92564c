import Redis from 'ioredis';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import { createWorker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

/** Among due tasks of a partition, a higher priority is claimed (started) first. */
describe('priorities', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
    reader = new TaskReader(store);
    await store.init();
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const task = (priority?: number) => ({
    id: newId(),
    namespace: 'default',
    kind: 'coroutine' as const,
    name: 'seed.func-b',
    input: null,
    ...(priority ? { priority } : {}),
  });

  afterEach(() => store.own(0, 'owner', 60_000, 'release'));

  it('a queued task paused and resumed keeps its place by priority', async () => {
    const own = testConfig({ partitions: 1 }); // a store of its own: the other cases count what is claimed
    const s = new TaskStore(redis, { prefix: own.prefix, partitions: 1 });
    await s.init();
    expect(await s.own(0, 'owner', 60_000, 'take')).toBe(0);
    const plain = task();
    const urgent = task(9);
    await s.create([plain]);
    await s.create([urgent]);
    await s.pause('default', urgent.id, 'hold');
    await s.resume('default', urgent.id);
    expect((await s.claim(0, 'owner', 1))!.tasks.map((t) => t.id)).toEqual([urgent.id]);
    await dropPrefix(own.prefix);
  });

  it('the claim takes the highest priority first, then the oldest, then the due set', async () => {
    expect(await store.own(0, 'owner', 60_000, 'take')).toBe(0);
    const plain = [task(), task(), task()];
    await store.create(plain);
    const five = task(5);
    const nine = task(9);
    const fiveLater = task(5);
    // a millisecond apart: tasks of one priority created in the same millisecond come in id order
    const tick = () => new Promise((r) => setTimeout(r, 2));
    await store.create([five]);
    await tick();
    await store.create([nine]);
    await tick();
    await store.create([fiveLater]);
    const first = await store.claim(0, 'owner', 3);
    expect(first!.tasks.map((t) => t.id)).toEqual([nine.id, five.id, fiveLater.id]);
    expect(first!.nextDue).not.toBeNull();
    const second = await store.claim(0, 'owner', 10);
    // tasks of one priority created in the same millisecond come in id order, as in the due set
    expect(second!.tasks.map((t) => t.id).sort()).toEqual(plain.map((t) => t.id).sort());
    expect((await reader.get('default', nine.id)).priority).toBe(9);
    // a cancelled task with a priority leaves its set
    const gone = task(50);
    await store.create([gone]);
    await store.cancel('default', gone.id);
    expect((await store.claim(0, 'owner', 10))!.tasks).toHaveLength(0);
  });

  it('a worker starts a later task of higher priority before earlier ones', async () => {
    const worker = await createWorker(config, { heartbeatMs: 200, claimBatch: 1 });
    try {
      const plain = Array.from({ length: 20 }, () => task());
      const urgent = task(100);
      await store.create([...plain, urgent]);
      const views = await eventually(async () => {
        const all = await Promise.all([...plain, urgent].map((t) => reader.get('default', t.id, { journal: false })));
        return all.every((v) => v.startedAt) ? all : undefined;
      });
      const urgentAt = Date.parse(views[views.length - 1].startedAt!);
      expect(views.slice(0, -1).every((v) => Date.parse(v.startedAt!) >= urgentAt)).toBe(true);
    } finally {
      await worker.close();
    }
  });
});
