import Redis from 'ioredis';
import { TaskStore } from '@yieldflow/store';
import { REDIS_URL } from '../support/redis';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey } from './support';
import { keysOf } from '../../libs/store/src/testing';

/**
 * A task whose journal and trace are long and hold large values, written straight into the store (as a
 * long loop would leave them): its reads are paged and bounded in bytes.
 */
describe('task reads are paged and bounded', () => {
  let s: Stack;
  let key: string;
  let id: string;
  const admin = newAdminKey();
  const big = 'x'.repeat(200_000);
  beforeAll(async () => {
    s = await startStack({
      workers: 0,
      env: { ADMIN_KEY: admin, LIMIT_VIEW_VALUE_BYTES: '65536', LIMIT_VIEW_BYTES: '300000' },
    });
    key = await keyFor(s, admin, 'pages', 'viewer');
    id = 'paged-task-1';
    const redis = new Redis(REDIS_URL);
    const store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
    await store.create([{ id, namespace: 'pages', kind: 'coroutine', name: 'seed.func-b', input: null }]);
    const journal = Array.from({ length: 250 }, (_, i) =>
      JSON.stringify({ k: 'sleep', t: 1000 + i, s: 900 + i, l: `s${i}`, r: i === 240 ? big : i }),
    );
    const trace = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({ phase: 'completed', i, output: i === 290 ? big : i }),
    );
    await redis.rpush(keysOf(store).journal(id), ...journal);
    await redis.rpush(keysOf(store).trace(id), ...trace);
    redis.disconnect();
  });
  afterAll(() => s.close());
  const v = () => as(s, key);

  it('GET /v1/tasks/:id holds the latest 100 suspensions and trace entries, with totals', async () => {
    const t = (await v().get(`/v1/tasks/${id}`).expect(200)).body;
    expect(t.suspensions).toHaveLength(100);
    expect(t.suspensions[0].step).toBe(150);
    expect(t.suspensions[99].label).toBe('s249');
    expect(t.suspensionsPage).toEqual({ offset: 150, total: 250 });
    expect(t.trace).toHaveLength(100);
    expect(t.trace[99].i).toBe(299);
    expect(t.tracePage).toEqual({ offset: 200, total: 300 });
  });

  it('replaces a value over LIMIT_VIEW_VALUE_BYTES by a marker saying its size and where to fetch it', async () => {
    const res = await v().get(`/v1/tasks/${id}`).expect(200);
    expect(res.text.length).toBeLessThan(100_000);
    const marked = res.body.suspensions.find((x: { step: number }) => x.step === 240);
    expect(marked.truncated).toEqual({ bytes: expect.any(Number), href: `/v1/tasks/${id}/suspensions/240` });
    expect(marked.truncated.bytes).toBeGreaterThan(200_000);
    expect(res.body.trace[90]).toEqual({ truncated: { bytes: expect.any(Number), href: `/v1/tasks/${id}/trace/290` } });
    const full = await v().get(marked.truncated.href).expect(200);
    expect(full.body.result).toBe(big);
    expect(full.body.step).toBe(240);
    expect((await v().get(`/v1/tasks/${id}/trace/290`).expect(200)).body.output).toBe(big);
    await v().get(`/v1/tasks/${id}/trace/300`).expect(404);
  });

  it('pages suspensions and trace by offset and limit', async () => {
    const p = (await v().get(`/v1/tasks/${id}/suspensions?offset=10&limit=5`).expect(200)).body;
    expect(p.items.map((x: { step: number }) => x.step)).toEqual([10, 11, 12, 13, 14]);
    expect(p).toMatchObject({ offset: 10, total: 250, nextOffset: 15 });
    const last = (await v().get(`/v1/tasks/${id}/trace?offset=295`).expect(200)).body;
    expect(last.items.map((x: { i: number }) => x.i)).toEqual([295, 296, 297, 298, 299]);
    expect(last.nextOffset).toBeUndefined();
    const latest = (await v().get(`/v1/tasks/${id}/trace?limit=3`).expect(200)).body;
    expect(latest).toMatchObject({ offset: 297, total: 300 });
    const bad = await v().get(`/v1/tasks/${id}/trace?limit=5000`).expect(400);
    expect(bad.body.message).toMatch(/limit must not be greater than 1000/);
  });

  it('cuts a page short at LIMIT_VIEW_BYTES, with the offset to go on from', async () => {
    const ids = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ phase: 'completed', output: 'y'.repeat(60_000), n: i }),
    );
    const redis = new Redis(REDIS_URL);
    const store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
    await store.create([
      { id: 'paged-task-2', namespace: 'pages', kind: 'coroutine', name: 'seed.func-b', input: null },
    ]);
    await redis.rpush(keysOf(store).trace('paged-task-2'), ...ids);
    redis.disconnect();
    const p = (await v().get('/v1/tasks/paged-task-2/trace?offset=0&limit=40').expect(200)).body;
    expect(p.items.length).toBeLessThan(6);
    expect(p.nextOffset).toBe(p.items.length);
    const t = (await v().get('/v1/tasks/paged-task-2').expect(200)).body;
    expect(t.trace.length).toBeLessThan(6);
    expect(t.trace[t.trace.length - 1].n).toBe(39);
    expect(t.tracePage).toEqual({ offset: 40 - t.trace.length, total: 40 });
  });

  it('marks an input, output or error over LIMIT_VIEW_VALUE_BYTES, in the task and in lists, and answers it in full apart', async () => {
    const redis = new Redis(REDIS_URL);
    const store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
    await store.create([
      { id: 'paged-task-3', namespace: 'pages', kind: 'coroutine', name: 'seed.func-b', input: { small: true } },
    ]);
    await redis.hset(keysOf(store).task('paged-task-3'), 'out', JSON.stringify({ big }), 'err', JSON.stringify('e'));
    redis.disconnect();
    const res = await v().get('/v1/tasks/paged-task-3').expect(200);
    expect(res.text.length).toBeLessThan(10_000);
    expect(res.body.output).toEqual({ truncated: { bytes: big.length + 10, href: '/v1/tasks/paged-task-3/output' } });
    expect(res.body.input).toEqual({ small: true });
    expect(res.body.error).toBe('e');
    expect((await v().get('/v1/tasks/paged-task-3/output').expect(200)).body).toEqual({ big });
    expect((await v().get('/v1/tasks/paged-task-3/input').expect(200)).body).toEqual({ small: true });
    const list = await v().get('/v1/tasks?limit=10').expect(200);
    expect(list.text.length).toBeLessThan(20_000);
    expect(list.body.items.find((t: { id: string }) => t.id === 'paged-task-3').output.truncated.bytes).toBe(
      big.length + 10,
    );
  });
});
