import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Config } from '@yieldflow/contracts';
import { type Coroutine, CoroutineRegistry, patched, receive, sleep, waitForEvent } from '@yieldflow/runtime';
import { newId } from '@yieldflow/store';
import { createApp } from '../apps/api/src/create-app';
import { createWorker, type Worker } from '../apps/worker/src/create-worker';
import { dropPrefix, eventually, testConfig } from './support/redis';

/**
 * Upgrading a coroutine under running tasks: tasks started on the old code are suspended, the worker is
 * stopped, a worker with the new code starts; old tasks finish on the old path, new ones on the new path.
 */

// v1 sleeps, then waits for a value; v2 does the two the other way round (replaying v2 over a v1 journal
// would be a NonDeterminismError: 'sleep' recorded, 'receive' yielded)
const shipV1: Coroutine = function* () {
  yield sleep(10, 'v1');
  return { version: 1, got: yield receive('v1 ready') };
};
const shipV2: Coroutine = function* () {
  const got = yield receive('v2 ready');
  yield sleep(10, 'v2');
  return { version: 2, got };
};

const remindOld: Coroutine = function* () {
  yield sleep(10, 'prepare');
  return { path: 'old', got: yield receive('ready') };
};
const remindNew: Coroutine = function* () {
  if (patched('check-stock')) yield waitForEvent('stock.checked', { timeoutMs: 20 });
  yield sleep(10, 'prepare');
  const got = yield receive('ready');
  return { path: patched('check-stock') ? 'new' : 'old', got };
};
const remindNaive: Coroutine = function* () {
  yield waitForEvent('stock.checked', { timeoutMs: 20 });
  yield sleep(10, 'prepare');
  return { path: 'new', got: yield receive('ready') };
};

const registry = (...entries: [string, Coroutine, number?][]): CoroutineRegistry => {
  const r = new CoroutineRegistry();
  for (const [name, fn, version] of entries) r.register(name, fn, version ? { version } : {});
  return r;
};

describe('upgrading a coroutine under running tasks', () => {
  let config: Config;
  let app: INestApplication | undefined;
  let worker: Worker | undefined;
  let http: ReturnType<typeof request>;

  beforeEach(() => {
    config = testConfig({ partitions: 4 });
  });
  afterEach(async () => {
    await worker?.close();
    await app?.close();
    worker = app = undefined;
    await dropPrefix(config.prefix);
  });

  /** The api and one worker, each with its own registry (the api's decides the version of new tasks). */
  async function deploy(api: CoroutineRegistry, workerRegistry = api): Promise<void> {
    await worker?.close();
    await app?.close();
    app = await createApp(config, { logLevel: 'silent', registry: api });
    await app.init();
    http = request(app.getHttpServer());
    worker = await createWorker(config, { heartbeatMs: 250, registry: workerRegistry });
  }
  async function restartWorker(r: CoroutineRegistry): Promise<void> {
    await worker?.close();
    worker = await createWorker(config, { heartbeatMs: 250, registry: r });
  }
  const submit = async (coroutine: string, n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await http.post('/v1/tasks').send({ coroutine }).expect(201)).body.id);
    return ids;
  };
  const until = (id: string, statuses: string[]) =>
    eventually(async () => {
      const { body } = await http.get(`/v1/tasks/${id}`);
      return statuses.includes(body.status) ? body : undefined;
    }, 20_000);
  /** Until the task waits in its receive. */
  const receiving = (id: string) =>
    eventually(async () => {
      const { body } = await http.get(`/v1/tasks/${id}`);
      return body.status === 'suspended' && body.waitingFor?.kind === 'receive' ? body : undefined;
    }, 20_000);

  it('versions: old tasks keep v1, new ones get v2, side by side in one worker', async () => {
    await deploy(registry(['orders.ship', shipV1]));
    const old = await submit('orders.ship', 3);
    for (const id of old) expect(await receiving(id)).toMatchObject({ coroutineVersion: 1, yielded: 'v1 ready' });

    // the upgrade: api and worker now have v1 and v2
    const both = registry(['orders.ship', shipV1], ['orders.ship', shipV2, 2]);
    await deploy(both);
    const fresh = await submit('orders.ship', 2);
    for (const id of fresh) expect(await receiving(id)).toMatchObject({ coroutineVersion: 2, yielded: 'v2 ready' });

    for (const id of [...old, ...fresh]) await http.post(`/v1/tasks/${id}/send`).send({ value: id }).expect(200);
    for (const id of old)
      expect(await until(id, ['completed', 'faulted'])).toMatchObject({
        status: 'completed',
        output: { version: 1, got: id },
      });
    for (const id of fresh)
      expect(await until(id, ['completed', 'faulted'])).toMatchObject({
        status: 'completed',
        output: { version: 2, got: id },
      });
  });

  it("versions: a worker without the task's version faults it, saying so; retried on a worker with it, it completes", async () => {
    await deploy(registry(['orders.ship', shipV1]));
    const [id] = await submit('orders.ship', 1);
    await receiving(id);
    // v1 dropped too early: this worker has only v2
    const onlyV2 = registry(['orders.ship', shipV2, 2]);
    await deploy(onlyV2);
    await http.post(`/v1/tasks/${id}/send`).send({ value: 'late' }).expect(200);
    const faulted = await until(id, ['faulted', 'completed']);
    expect(faulted.status).toBe('faulted');
    expect(faulted.error.detail).toMatch(
      /coroutine 'orders.ship' version 1 is not registered in this worker \(it has version 2\)/,
    );
    expect(faulted.error.detail).not.toMatch(/NonDeterminism|journal recorded/);

    await restartWorker(registry(['orders.ship', shipV1], ['orders.ship', shipV2, 2]));
    await http.post(`/v1/tasks/${id}/retry`).expect(200);
    // the step that faulted runs again: the task waits in its receive as before, and takes a value
    await receiving(id);
    await http.post(`/v1/tasks/${id}/send`).send({ value: 'again' }).expect(200);
    expect(await until(id, ['completed', 'faulted'])).toMatchObject({
      status: 'completed',
      output: { version: 1, got: 'again' },
    });
  });

  it('versions: a task created without one (its creator lacks the coroutine) starts on the worker latest, and keeps it', async () => {
    const both = registry(['orders.ship', shipV1], ['orders.ship', shipV2, 2]);
    await deploy(registry(['other', shipV1]), both);
    const id = newId();
    await worker!.store.create([
      { id, namespace: 'default', kind: 'coroutine', name: 'orders.ship', input: null, fresh: true },
    ]);
    expect(await receiving(id)).toMatchObject({ coroutineVersion: 2, yielded: 'v2 ready' });
    // a later worker whose latest is 3 runs it on 2 still
    await restartWorker(registry(['orders.ship', shipV1], ['orders.ship', shipV2, 2], ['orders.ship', shipV1, 3]));
    await http.post(`/v1/tasks/${id}/send`).send({ value: 'x' }).expect(200);
    expect(await until(id, ['completed', 'faulted'])).toMatchObject({
      status: 'completed',
      coroutineVersion: 2,
      output: { version: 2, got: 'x' },
    });
  });

  it('patched(): running tasks take the old path, new ones the new path, across replays', async () => {
    await deploy(registry(['orders.remind', remindOld]));
    const old = await submit('orders.remind', 3);
    for (const id of old) await receiving(id);

    const patchedCode = registry(['orders.remind', remindNew]);
    await restartWorker(patchedCode);
    const fresh = await submit('orders.remind', 2);
    for (const id of fresh) expect(await receiving(id)).toMatchObject({ yielded: 'ready' });
    // a fresh worker (nothing cached): every task is rebuilt from its journal and its kept decisions
    await restartWorker(registry(['orders.remind', remindNew]));

    for (const id of [...old, ...fresh]) await http.post(`/v1/tasks/${id}/send`).send({ value: id }).expect(200);
    for (const id of old) {
      const t = await until(id, ['completed', 'faulted']);
      expect(t).toMatchObject({ status: 'completed', output: { path: 'old', got: id } });
      expect(t.suspensions.map((s: { kind: string }) => s.kind)).toEqual(['sleep', 'receive']);
    }
    for (const id of fresh) {
      const t = await until(id, ['completed', 'faulted']);
      expect(t).toMatchObject({ status: 'completed', output: { path: 'new', got: id } });
      expect(t.suspensions.map((s: { kind: string }) => s.kind)).toEqual(['waitForEvent', 'sleep', 'receive']);
    }
  });

  it('without patched(), the same change faults the running tasks (the failure patched() avoids)', async () => {
    await deploy(registry(['orders.remind', remindOld]));
    const [id] = await submit('orders.remind', 1);
    await receiving(id);
    await restartWorker(registry(['orders.remind', remindNaive]));
    await http.post(`/v1/tasks/${id}/send`).send({ value: 'x' }).expect(200);
    const t = await until(id, ['faulted', 'completed']);
    expect(t.status).toBe('faulted');
    expect(JSON.stringify(t.error)).toMatch(/journal recorded 'sleep' but the coroutine yielded 'waitForEvent'/);
  });
});
