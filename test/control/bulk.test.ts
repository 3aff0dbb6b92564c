import Redis from 'ioredis';
import { newId, TaskStore } from '@yieldflow/store';
import { startStack, type Stack } from '../support/stack';
import { REDIS_URL } from '../support/redis';

/** POST /v1/tasks/bulk: one action on every task a filter matches, bounded per request. */
describe('bulk actions', () => {
  let s: Stack;
  let redis: Redis;
  let store: TaskStore;

  beforeAll(async () => {
    s = await startStack();
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
  });
  afterAll(async () => {
    await s.close();
    redis.disconnect();
  });

  const bulk = (action: string, filter: object, cursor?: string) =>
    s.http.post('/v1/tasks/bulk').send({ action, filter, ...(cursor ? { cursor } : {}) });

  it('pauses, resumes, retries and cancels by batch and status, saying how many it touched', async () => {
    const { body: batch } = await s.http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.consumer' }, { coroutine: 'seed.consumer' }, { coroutine: 'seed.func-b' }] })
      .expect(201);
    const ids: string[] = (await s.http.get(`/v1/tasks?batchId=${batch.id}`)).body.items.map(
      (t: { id: string }) => t.id,
    );
    for (const id of ids) await s.until(id, ['suspended']);
    expect((await bulk('pause', { batchId: batch.id }).expect(200)).body).toEqual({
      action: 'pause',
      matched: 3,
      touched: 3,
      skipped: 0,
    });
    for (const id of ids) expect((await s.http.get(`/v1/tasks/${id}`)).body.status).toBe('paused');
    // resume applies to paused tasks only: the others are skipped
    expect((await bulk('resume', { batchId: batch.id, coroutine: 'seed.consumer' }).expect(200)).body).toMatchObject({
      matched: 2,
      touched: 2,
      skipped: 0,
    });
    expect((await bulk('resume', { batchId: batch.id, coroutine: 'seed.consumer' }).expect(200)).body).toMatchObject({
      matched: 2,
      touched: 0,
      skipped: 2,
    });
    expect((await bulk('terminate', { batchId: batch.id, status: 'paused' }).expect(200)).body).toMatchObject({
      matched: 1,
      touched: 1,
    });
    expect((await bulk('cancel', { batchId: batch.id, status: 'suspended' }).expect(200)).body).toMatchObject({
      matched: 2,
      touched: 2,
    });
    const views = await Promise.all(ids.map(async (id) => (await s.http.get(`/v1/tasks/${id}`)).body));
    expect(views.map((v) => v.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(views.filter((v) => v.terminated)).toHaveLength(1);

    // faulted tasks of a batch retried at once (demo.sleep-call without a url faults at its start)
    const { body: failing } = await s.http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'demo.sleep-call' }, { coroutine: 'demo.sleep-call' }] })
      .expect(201);
    const fids: string[] = (await s.http.get(`/v1/tasks?batchId=${failing.id}`)).body.items.map(
      (t: { id: string }) => t.id,
    );
    for (const id of fids) await s.until(id, ['faulted']);
    expect((await bulk('retry', { batchId: failing.id, status: 'faulted' }).expect(200)).body).toMatchObject({
      matched: 2,
      touched: 2,
    });
    for (const id of fids) expect((await s.until(id, ['faulted'])).retries).toBe(1);
  });

  it('acts on 10,000 tasks at most per request and says where to go on', async () => {
    const n = 10_100;
    const ids = Array.from({ length: n }, () => newId());
    await store.create(
      ids.map((id) => ({
        id,
        namespace: 'default',
        kind: 'coroutine' as const,
        name: 'seed.num',
        input: null,
        fresh: true,
      })),
    );
    const first = (await bulk('pause', { coroutine: 'seed.num' }).expect(200)).body;
    expect(first.matched).toBeLessThanOrEqual(10_000);
    expect(first.matched).toBeGreaterThan(9_000);
    expect(first.touched).toBe(first.matched);
    expect(first.nextCursor).toBeDefined();
    expect(first.message).toMatch(/more than 10000 tasks match/);
    const rest = (await bulk('pause', { coroutine: 'seed.num' }, first.nextCursor).expect(200)).body;
    expect(rest.nextCursor).toBeUndefined();
    expect(first.touched + rest.touched).toBe(n);
    const page = (await s.http.get('/v1/tasks?status=paused&limit=500')).body;
    expect(page.items.length).toBe(500);
    expect((await bulk('cancel', { coroutine: 'seed.num' }).expect(200)).body.touched).toBeLessThanOrEqual(10_000);
  }, 120_000);

  it('answers 400 without a filter or with an unknown action', async () => {
    expect((await bulk('pause', {}).expect(400)).body.message).toMatch(/filter needs at least one/);
    expect((await bulk('explode', { status: 'queued' }).expect(400)).body.message).toMatch(/action must be one of/);
  });
});
