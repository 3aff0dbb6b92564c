import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import type { Config } from '@yieldflow/contracts';
import { createCoroutineRegistry } from '@yieldflow/contracts';
import { receive, sleep } from '@yieldflow/runtime';
import { type NewTask, TaskStore } from '@yieldflow/store';
import { createApp } from '../../apps/api/src/create-app';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/** While true, q.flaky faults after its sleep (a module flag: the workers run in this process). */
let failing = true;

function registry() {
  return createCoroutineRegistry()
    .register('q.done', function* () {
      yield sleep(10, 'nap');
      return 'ok';
    })
    .register('q.flaky', function* () {
      yield sleep(10, 'nap');
      if (failing) throw new Error('not yet');
      return 'fixed';
    })
    .register('q.wait', function* () {
      return yield receive();
    });
}

interface Env {
  config: Config;
  app: INestApplication;
  http: ReturnType<typeof request>;
  worker: Worker;
  redis: Redis;
  store: TaskStore;
  close(): Promise<void>;
}

async function start(retention: Config['retention']): Promise<Env> {
  const config = testConfig({ partitions: 4, retention });
  const app = await createApp(config, { logLevel: 'silent' });
  await app.init();
  const worker = await createWorker(config, { heartbeatMs: 250, registry: registry() });
  const redis = new Redis(REDIS_URL);
  const store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions, retention });
  return {
    config,
    app,
    http: request(app.getHttpServer()),
    worker,
    redis,
    store,
    async close() {
      await worker.close();
      await app.close();
      redis.disconnect();
      await dropPrefix(config.prefix);
    },
  };
}

const task = (id: string, namespace: string, name: string, batchId?: string): NewTask => ({
  id,
  namespace,
  kind: 'coroutine',
  name,
  input: null,
  fresh: true,
  ...(batchId ? { batchId } : {}),
});

async function until(e: Env, id: string, status: string): Promise<Record<string, string>> {
  return eventually(async () => {
    const h = await e.redis.hgetall(keysOf(e.store).task(id));
    return h.st === status ? h : undefined;
  }, 15_000);
}

/** Every key and index entry a task leaves, as [what, present?]. */
async function traces(e: Env, id: string, ns: string, ca: string): Promise<Record<string, boolean>> {
  const p = keysOf(e.store).partitionOfTask(id);
  const member = `${String(9999999999999 - Number(ca)).padStart(13, '0')}:${id}`;
  const r = e.redis;
  const z = async (key: string, m: string): Promise<boolean> => (await r.zscore(key, m)) !== null;
  return {
    hash: (await r.exists(`${p}t:${id}`)) === 1,
    journal: (await r.exists(`${p}j:${id}`)) === 1,
    idx: await z(`${p}idx:${ns}`, member),
    ids: await z(`${p}ids:${ns}`, id),
    named:
      (await r.zscore(`${p}ix:${ns}:c:q.done`, member)) !== null ||
      (await r.zscore(`${p}ix:${ns}:c:q.wait`, member)) !== null,
    completed: await z(`${p}ix:${ns}:s:completed`, member),
    expiry: await z(`${p}exp`, id),
  };
}

describe('retention: finished tasks expire per namespace', () => {
  let e: Env;
  beforeAll(async () => {
    e = await start({ defaultMs: 4000, byNamespace: { forever: 0, brief: 300 }, sweepMs: 200 });
  });
  afterAll(() => e.close());

  it('removes a finished task and everything kept for it once its retention has passed', async () => {
    await e.store.create([task('exp-a', 'default', 'q.done')]);
    const h = await until(e, 'exp-a', 'completed');
    const p = keysOf(e.store).partitionOfTask('exp-a');
    // it expires its namespace's retention after it finished
    expect(Number(await e.redis.zscore(`${p}exp`, 'exp-a'))).toBe(Number(h.fa) + 4000);
    const before = await traces(e, 'exp-a', 'default', h.ca);
    expect(before).toEqual({
      hash: true,
      journal: true,
      idx: true,
      ids: true,
      named: true,
      completed: true,
      expiry: true,
    });
    await eventually(
      async () => ((await e.redis.exists(keysOf(e.store).task('exp-a'))) === 0 ? true : undefined),
      15_000,
    );
    expect(await traces(e, 'exp-a', 'default', h.ca)).toEqual({
      hash: false,
      journal: false,
      idx: false,
      ids: false,
      named: false,
      completed: false,
      expiry: false,
    });
    expect(Number((await e.redis.hget(`${p}cnt`, 'completed')) ?? 0)).toBe(0);
    await e.http.get('/v1/tasks/exp-a').expect(404);
  });

  it('keeps a namespace with retention 0 forever, and applies a namespace of its own retention', async () => {
    await e.store.create([task('keep-1', 'forever', 'q.done'), task('brief-1', 'brief', 'q.done')]);
    const kept = await until(e, 'keep-1', 'completed');
    const brief = await until(e, 'brief-1', 'completed');
    expect(await e.redis.zscore(`${keysOf(e.store).partitionOfTask('keep-1')}exp`, 'keep-1')).toBeNull();
    expect(Number(await e.redis.zscore(`${keysOf(e.store).partitionOfTask('brief-1')}exp`, 'brief-1'))).toBe(
      Number(brief.fa) + 300,
    );
    await eventually(
      async () => ((await e.redis.exists(keysOf(e.store).task('brief-1'))) === 0 ? true : undefined),
      15_000,
    );
    expect((await traces(e, 'keep-1', 'forever', kept.ca)).hash).toBe(true);
  });

  it("removes a batch's record once all its tasks are gone", async () => {
    const ids = ['bat-1', 'bat-2', 'bat-3'];
    await e.store.createBatch('default', 'b-exp', ids);
    await e.store.create(ids.map((id) => task(id, 'default', 'q.done', 'b-exp')));
    for (const id of ids) await until(e, id, 'completed');
    await e.http.get('/v1/batches/b-exp').expect(200);
    await eventually(
      async () => ((await e.redis.exists(keysOf(e.store).batch('b-exp'))) === 0 ? true : undefined),
      15_000,
    );
    expect(await e.redis.exists(keysOf(e.store).batchTasks('b-exp'))).toBe(0);
    for (let p = 0; p < e.config.partitions; p++)
      expect(await e.redis.exists(`${keysOf(e.store).partition(p)}bt:b-exp`)).toBe(0);
    await e.http.get('/v1/batches/b-exp').expect(404);
  });
});

describe('retention: DELETE, live tasks, retries and reruns', () => {
  let e: Env;
  beforeAll(async () => {
    failing = true;
    e = await start({ defaultMs: 0, byNamespace: { hour: 3_600_000 }, sweepMs: 200 });
  });
  afterAll(() => e.close());

  it('DELETE removes a finished task at once; 409 for one not finished, 404 for none or another namespace', async () => {
    await e.store.create([
      task('del-done', 'default', 'q.done'),
      task('del-live', 'default', 'q.wait'),
      task('del-other', 'other', 'q.done'),
    ]);
    const h = await until(e, 'del-done', 'completed');
    await until(e, 'del-live', 'suspended');
    await until(e, 'del-other', 'completed');
    const conflict = await e.http.delete('/v1/tasks/del-live').expect(409);
    expect(conflict.body.message).toMatch(/not finished: it is suspended/);
    await e.http.delete('/v1/tasks/del-other').expect(404);
    await e.http.delete('/v1/tasks/no-such-task').expect(404);
    await e.http.delete('/v1/tasks/del-done').expect(204);
    await e.http.get('/v1/tasks/del-done').expect(404);
    await e.http.delete('/v1/tasks/del-done').expect(404);
    expect(await traces(e, 'del-done', 'default', h.ca)).toEqual({
      hash: false,
      journal: false,
      idx: false,
      ids: false,
      named: false,
      completed: false,
      expiry: false,
    });
    expect(
      (await e.http.get('/v1/tasks?idPrefix=del-').expect(200)).body.items.map((t: { id: string }) => t.id),
    ).toEqual(['del-live']);
    // the live one is still there, and ends normally
    await e.http.post('/v1/tasks/del-live/send').send({ value: 1 }).expect(200);
    await until(e, 'del-live', 'completed');
    await e.http.delete('/v1/tasks/del-live').expect(204);
  });

  it("a batch's record goes with its last task", async () => {
    await e.store.createBatch('default', 'b-del', ['bd-1', 'bd-2']);
    await e.store.create([task('bd-1', 'default', 'q.done', 'b-del'), task('bd-2', 'default', 'q.done', 'b-del')]);
    await until(e, 'bd-1', 'completed');
    await until(e, 'bd-2', 'completed');
    await e.http.delete('/v1/tasks/bd-1').expect(204);
    expect((await e.http.get('/v1/batches/b-del').expect(200)).body.total).toBe(2);
    await e.http.delete('/v1/tasks/bd-2').expect(204);
    await e.http.get('/v1/batches/b-del').expect(404);
    expect(await e.redis.exists(keysOf(e.store).batch('b-del'), keysOf(e.store).batchTasks('b-del'))).toBe(0);
  });

  it('never removes a task that is not finished, even if it is found in the expiry set', async () => {
    await e.store.create([task('live-x', 'hour', 'q.wait')]);
    await until(e, 'live-x', 'suspended');
    const exp = `${keysOf(e.store).partitionOfTask('live-x')}exp`;
    await e.redis.zadd(exp, 0, 'live-x');
    await eventually(async () => ((await e.redis.zscore(exp, 'live-x')) === null ? true : undefined), 15_000);
    expect(await e.redis.hget(keysOf(e.store).task('live-x'), 'st')).toBe('suspended');
  });

  it('a retried task leaves the expiry set and its faulted index, and enters them again at its new end', async () => {
    await e.store.create([task('flaky-1', 'hour', 'q.flaky')]);
    const faulted = await until(e, 'flaky-1', 'faulted');
    const p = keysOf(e.store).partitionOfTask('flaky-1');
    const member = `${String(9999999999999 - Number(faulted.ca)).padStart(13, '0')}:flaky-1`;
    expect(Number(await e.redis.zscore(`${p}exp`, 'flaky-1'))).toBe(Number(faulted.fa) + 3_600_000);
    expect(await e.redis.zscore(`${p}ix:hour:s:faulted`, member)).not.toBeNull();
    expect(await e.redis.zscore(`${p}ix:hour:live`, member)).toBeNull();
    failing = false;
    await e.store.retry('hour', 'flaky-1');
    const done = await until(e, 'flaky-1', 'completed');
    expect(await e.redis.zscore(`${p}ix:hour:s:faulted`, member)).toBeNull();
    expect(await e.redis.zscore(`${p}ix:hour:live`, member)).toBeNull();
    expect(await e.redis.zscore(`${p}ix:hour:s:completed`, member)).not.toBeNull();
    expect(Number(await e.redis.zscore(`${p}exp`, 'flaky-1'))).toBe(Number(done.fa) + 3_600_000);
  });

  it("a removed rerun leaves its original's reruns; a removed original leaves its rerun's link dangling", async () => {
    await e.store.create([task('orig-1', 'default', 'q.done')]);
    await until(e, 'orig-1', 'completed');
    const rerun = (await e.http.post('/v1/tasks/orig-1/rerun').send({}).expect(201)).body;
    await until(e, rerun.id, 'completed');
    expect((await e.http.get('/v1/tasks/orig-1').expect(200)).body.reruns).toEqual([rerun.id]);
    await e.http.delete(`/v1/tasks/${rerun.id}`).expect(204);
    expect((await e.http.get('/v1/tasks/orig-1').expect(200)).body.reruns).toEqual([]);
    const again = (await e.http.post('/v1/tasks/orig-1/rerun').send({}).expect(201)).body;
    await until(e, again.id, 'completed');
    await e.http.delete('/v1/tasks/orig-1').expect(204);
    expect(await e.redis.exists(`${keysOf(e.store).partitionOfTask('orig-1')}rr:orig-1`)).toBe(0);
    expect((await e.http.get(`/v1/tasks/${again.id}`).expect(200)).body.rerunOf).toBe('orig-1');
  });
});

describe('retention: the sweep removes in bounded batches, fenced by the lease', () => {
  const prefix = testConfig().prefix;
  let redis: Redis;
  let store: TaskStore;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix, partitions: 1, retention: { defaultMs: 1000 } });
  });
  afterAll(async () => {
    redis.disconnect();
    await dropPrefix(prefix);
  });

  it('takes at most the batch size per call, the earliest first, and only with the owner token', async () => {
    const now = Date.now();
    await store.create(
      ['s1', 's2', 's3', 's4', 's5'].map((id) => task(id, 'default', 'q.done')),
      now,
    );
    for (const [i, id] of ['s1', 's2', 's3', 's4', 's5'].entries()) await store.cancel('default', id, now + i);
    expect(await store.own(0, 'tok', 60_000, 'take', now)).toBeGreaterThanOrEqual(0);
    expect(await store.sweep(0, 'not-the-owner', 10, now + 5000)).toBeNull();
    // nothing has expired yet: the next expiry is the first cancel's
    expect(await store.sweep(0, 'tok', 2, now + 999)).toEqual({ removed: 0, next: now + 1000 });
    expect(await store.sweep(0, 'tok', 2, now + 1002)).toEqual({ removed: 2, next: now + 1002 });
    expect(await redis.exists(keysOf(store).task('s1'), keysOf(store).task('s2'))).toBe(0);
    expect(await store.sweep(0, 'tok', 2, now + 5000)).toEqual({ removed: 2, next: now + 1004 });
    expect(await store.sweep(0, 'tok', 2, now + 5000)).toEqual({ removed: 1, next: null });
    expect(await redis.hget(`${keysOf(store).partition(0)}cnt`, 'cancelled')).toBe('0');
    expect(await redis.zcard(`${keysOf(store).partition(0)}idx:default`)).toBe(0);
    expect(await redis.zcard(`${keysOf(store).partition(0)}ids:default`)).toBe(0);
  });
});
