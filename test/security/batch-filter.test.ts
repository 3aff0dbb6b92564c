import Redis from 'ioredis';
import { newId, TaskStore } from '@yieldflow/store';
import { REDIS_URL } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

/** GET /v1/tasks?batchId= reads the batch's own list of ids, however many tasks the namespace holds. */
describe('tasks of a batch', () => {
  let s: Stack;
  let batchId: string;
  let taskIds: string[];
  beforeAll(async () => {
    s = await startStack({ workers: 0 });
    const res = await s.http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.func-b' }, { coroutine: 'seed.func-a' }, { coroutine: 'seed.func-b' }] })
      .expect(201);
    ({ id: batchId, taskIds } = res.body);
    // many newer tasks: a filter that scans the namespace's index gives up long before it reaches the batch
    const redis = new Redis(REDIS_URL);
    const store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
    await store.create(
      Array.from({ length: 20_000 }, () => ({
        id: newId(),
        namespace: 'default',
        kind: 'coroutine' as const,
        name: 'seed.func-b',
        input: null,
        fresh: true,
      })),
      Date.now() + 1000,
    );
    redis.disconnect();
  });
  afterAll(() => s.close());

  it('lists every task of the batch, page by page', async () => {
    const first = (await s.http.get(`/v1/tasks?batchId=${batchId}&limit=2`).expect(200)).body;
    expect(first.items.map((t: { id: string }) => t.id)).toEqual(taskIds.slice(0, 2));
    expect(first.items[0].batchId).toBe(batchId);
    const next = (await s.http.get(`/v1/tasks?batchId=${batchId}&limit=2&cursor=${first.nextCursor}`).expect(200)).body;
    expect(next.items.map((t: { id: string }) => t.id)).toEqual(taskIds.slice(2));
    expect(next.nextCursor).toBeUndefined();
  });

  it('filters the batch by status, and knows no batch of another namespace or a foreign cursor', async () => {
    const queued = (await s.http.get(`/v1/tasks?batchId=${batchId}&status=queued`).expect(200)).body;
    expect(queued.items).toHaveLength(3);
    expect((await s.http.get(`/v1/tasks?batchId=${batchId}&status=completed`).expect(200)).body.items).toEqual([]);
    expect((await s.http.get('/v1/tasks?batchId=nosuchbatch').expect(200)).body.items).toEqual([]);
    const bad = await s.http.get(`/v1/tasks?batchId=${batchId}&cursor=9999999999999:abc`).expect(400);
    expect(bad.body.message).toMatch(/cursor/);
  });
});
