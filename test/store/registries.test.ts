import Redis from 'ioredis';
import {
  AuthKeyStore,
  Channels,
  hashToken,
  EventStartIndex,
  isLive,
  JobQueues,
  LATENESS_BUCKETS,
  PartitionView,
  StatsStore,
  TaskStore,
  WorkerRegistry,
} from '@yieldflow/store';
import { ResumeStats } from '../../apps/worker/src/stats';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';

/** The store's registries on a real Redis: the keys they write, and what they read back. */
describe('the store registries', () => {
  const config = testConfig({ partitions: 2 });
  const prefix = config.prefix;
  let redis: Redis;
  let store: TaskStore;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix, partitions: 2, group: 'g1' });
    await store.init();
  });
  afterAll(async () => {
    await dropPrefix(prefix);
    redis.disconnect();
  });

  describe('WorkerRegistry', () => {
    it('records heartbeats in the deployment and group sets, and forgets silent workers', async () => {
      const workers = new WorkerRegistry(store, 1000);
      await workers.beat('w-old', 10_000, 1_000);
      await workers.beat('w-a', 10_000, 20_000);
      expect(await redis.zrange(`${prefix}:workers`, 0, -1, 'WITHSCORES')).toEqual(['w-a', '20000']);
      expect(await redis.zrange(`${prefix}:gw:g1`, 0, -1, 'WITHSCORES')).toEqual(['w-a', '20000']);
      await workers.leave('w-a');
      expect(await redis.exists(`${prefix}:workers`, `${prefix}:gw:g1`)).toBe(0);
    });

    it('counts a worker live for two heartbeat intervals after its last beat, and no longer', async () => {
      const workers = new WorkerRegistry(store, 1000);
      await workers.beat('w-b', 60_000, 50_000);
      expect(await workers.live(52_000)).toBe(1);
      expect(await workers.liveInGroup(52_000)).toBe(1);
      expect(await workers.live(52_001)).toBe(0);
      expect(await workers.liveInGroup(52_001)).toBe(0);
      expect(await workers.list(52_001)).toEqual([{ id: 'w-b', lastSeen: 50_000, alive: false }]);
      expect(isLive(50_000, 52_000)).toBe(true);
      expect(isLive(50_000, 52_001)).toBe(false);
      await workers.leave('w-b');
    });

    it('wakes on the wake channel', async () => {
      const sub = new Redis(REDIS_URL);
      const heard = new Promise<[string, string]>((r) => sub.on('message', (c: string, m: string) => r([c, m])));
      const workers = new WorkerRegistry(store);
      await workers.listen(sub);
      await workers.wake(1);
      expect(await heard).toEqual([`${prefix}:wake`, '1']);
      sub.disconnect();
    });
  });

  describe('StatsStore', () => {
    it('round-trips the resume counters the workers flush, in the hash fields /metrics reads', async () => {
      const stats = new StatsStore(store);
      const counted = new ResumeStats();
      counted.resumed();
      counted.resumed(0);
      counted.resumed(3);
      counted.resumed(99_999);
      await counted.flush(stats);
      await stats.addFireLateness(7);
      const raw = await redis.hgetall(`${prefix}:stats`);
      expect(raw).toEqual({
        resumes: '4',
        late_count: '3',
        late_sum: '100002',
        late_1: '1',
        late_5: '1',
        late_inf: '1',
        fire_count: '1',
        fire_sum: '7',
        fire_10: '1',
      });
      const read = await stats.read();
      expect(read.resumes).toBe(4);
      expect(read.resumeLateness.count).toBe(3);
      expect(read.resumeLateness.sumMs).toBe(100_002);
      expect(read.resumeLateness.buckets).toHaveLength(LATENESS_BUCKETS.length + 1);
      expect(read.resumeLateness.buckets[0]).toBe(1);
      expect(read.resumeLateness.buckets[LATENESS_BUCKETS.indexOf(5)]).toBe(1);
      expect(read.resumeLateness.buckets[LATENESS_BUCKETS.length]).toBe(1);
      expect(read.fireLateness.buckets[LATENESS_BUCKETS.indexOf(10)]).toBe(1);
      // nothing new counted: a flush writes nothing
      await counted.flush(stats);
      expect((await stats.read()).resumes).toBe(4);
    });
  });

  it('PartitionView reads the leases and the due tasks of every partition', async () => {
    const view = new PartitionView(store);
    expect(await view.owners()).toEqual([null, null]);
    await redis.set(`${prefix}:{p1}:own`, 'w-x:abc');
    expect(await view.owners()).toEqual([null, 'w-x']);
    await redis.zadd(`${prefix}:{p0}:due`, 10, 'a', 30, 'b');
    await redis.zadd(`${prefix}:{p1}:due`, 20, 'c');
    expect(await view.dueNow(20)).toBe(2);
  });

  it('JobQueues, EventStartIndex and Channels use their documented keys', async () => {
    const queues = new JobQueues(store);
    expect(await queues.any()).toBe(false);
    await queues.add('mail');
    expect(await redis.smembers(`${prefix}:jobqueues`)).toEqual(['mail']);
    expect(await queues.any()).toBe(true);
    const starts = new EventStartIndex(store);
    await starts.set('ns1', 'a/b', '{}');
    expect(await redis.hgetall(`${prefix}:evstarts:ns1`)).toEqual({ 'a/b': '{}' });
    const sub = new Redis(REDIS_URL);
    const channels = new Channels(store);
    await channels.subscribe(sub, 'changes');
    expect(await channels.subscribers('changes')).toBe(1);
    const heard = new Promise<string>((r) => sub.on('message', (c: string) => r(c)));
    await channels.publish('changes', 'x');
    expect(await heard).toBe(`${prefix}:changes`);
    sub.disconnect();
  });

  it('AuthKeyStore keeps api keys under keys: and counts requests per fixed window under rl:', async () => {
    const keys = new AuthKeyStore<'admin'>(store);
    const made = await keys.create('ns1', 'admin', 'ci');
    const hash = hashToken(made.token);
    expect(await redis.get(`${prefix}:keys:id:${made.id}`)).toBe(hash);
    expect(await redis.hget(`${prefix}:keys:${hash}`, 'role')).toBe('admin');
    expect(await redis.smembers(`${prefix}:keys:ns:ns1`)).toEqual([made.id]);
    expect((await keys.find(made.token))?.id).toBe(made.id);
    expect(await keys.revoke(made.id)).toBe(true);
    expect(await keys.find(made.token)).toBeNull();
    const [first] = await keys.countRequest('k1', 60_000, 120_000);
    const [second, ttl] = await keys.countRequest('k1', 60_000, 120_000);
    expect([first, second]).toEqual([1, 2]);
    expect(ttl).toBeGreaterThan(0);
    expect(await redis.get(`${prefix}:rl:k1:2`)).toBe('2');
  });
});
