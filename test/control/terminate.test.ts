import Redis from 'ioredis';
import { type Coroutine, CoroutineRegistry, type Json, registerSeedCoroutines, sleep, spawn } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { startStack, type Stack } from '../support/stack';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { as, keyFor, newAdminKey } from '../security/support';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Terminate ends a task at once without closing its coroutine (no finally block runs); cancel closes it. */
describe('terminate', () => {
  const registry = registerSeedCoroutines(new CoroutineRegistry());
  const config = testConfig({ partitions: 4 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;

  registry
    .register('t.closable', function* (_input, ctx) {
      try {
        ctx.record({ phase: 'started' });
        yield sleep(60_000);
      } finally {
        ctx.record({ phase: 'cleaned up' });
      }
    } as Coroutine)
    .register('t.parent', function* () {
      return (yield spawn([{ coroutine: 't.closable' }, { coroutine: 't.closable' }], 'all')) as Json;
    });

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    worker = await createWorker(config, { heartbeatMs: 200, registry });
  });
  afterAll(async () => {
    await worker.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const submit = async (name: string): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name, input: null }]);
    return id;
  };
  const until = (id: string, statuses: string[]): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get('default', id);
      return statuses.includes(t.status) ? t : undefined;
    });

  it('ends the task as cancelled with terminated: true, and its finally block never runs', async () => {
    const id = await submit('t.closable');
    await until(id, ['suspended']);
    expect(await store.cancel('default', id, Date.now(), true)).toBe('suspended');
    // give the owner time to carry out its outbox: there must be no close
    await wait(500);
    const t = await reader.get('default', id);
    expect(t).toMatchObject({ status: 'cancelled', terminated: true });
    expect(t.closed).toBeUndefined();
    expect(t.trace).toEqual([{ phase: 'started' }]);
    // a close that arrives anyway (a stale item) records nothing
    expect(await store.closed(id, ['"late"'])).toBe(false);
  });

  it('beside cancel, which closes the coroutine', async () => {
    const id = await submit('t.closable');
    await until(id, ['suspended']);
    await store.cancel('default', id);
    const t = await eventually(async () => {
      const v = await reader.get('default', id);
      return v.closed ? v : undefined;
    });
    expect(t.terminated).toBeUndefined();
    expect(t.trace).toEqual([{ phase: 'started' }, { phase: 'cleaned up' }]);
  });

  it('terminates the children with their parent, none of them closed', async () => {
    const id = await submit('t.parent');
    await until(`${id}.0.0`, ['suspended']);
    await until(`${id}.0.1`, ['suspended']);
    await store.cancel('default', id, Date.now(), true);
    for (const child of [`${id}.0.0`, `${id}.0.1`]) {
      const c = await until(child, ['cancelled']);
      expect(c.terminated).toBe(true);
    }
    await wait(400);
    for (const child of [`${id}.0.0`, `${id}.0.1`]) {
      const c = await reader.get('default', child);
      expect(c.closed).toBeUndefined();
      expect(c.trace).toEqual([{ phase: 'started' }]);
    }
  });
});

describe('POST /v1/tasks/:id/terminate', () => {
  let s: Stack;
  const admin = newAdminKey();
  let op: ReturnType<typeof as>;

  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin } });
    op = as(s, await keyFor(s, admin, 'acme', 'operator'));
  });
  afterAll(() => s.close());

  it('answers the ended task; 409 once ended, 404 across namespaces, 403 below operator', async () => {
    const id = (await op.post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201)).body.id;
    const other = as(s, await keyFor(s, admin, 'globex', 'operator'));
    await other.post(`/v1/tasks/${id}/terminate`).expect(404);
    await as(s, await keyFor(s, admin, 'acme', 'submitter'))
      .post(`/v1/tasks/${id}/terminate`)
      .expect(403);
    const res = await op.post(`/v1/tasks/${id}/terminate`).expect(200);
    expect(res.body).toMatchObject({ status: 'cancelled', terminated: true });
    expect((await op.post(`/v1/tasks/${id}/terminate`).expect(409)).body.message).toMatch(
      /already ended: it is cancelled/,
    );
  });

  it('retry: 409 for a task that is not faulted, 404 across namespaces, 403 below operator', async () => {
    const id = (await op.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201)).body.id;
    await as(s, await keyFor(s, admin, 'globex', 'operator'))
      .post(`/v1/tasks/${id}/retry`)
      .expect(404);
    await as(s, await keyFor(s, admin, 'acme', 'viewer'))
      .post(`/v1/tasks/${id}/retry`)
      .expect(403);
    expect((await op.post(`/v1/tasks/${id}/retry`).expect(409)).body.message).toMatch(
      /is not faulted: it is (queued|running|suspended)/,
    );
  });
});
