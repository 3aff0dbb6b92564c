import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { CoroutineRegistry, http, type Json, receive, registerSeedCoroutines, sleep } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

/** Retry a faulted task from the step that failed, with a worker in-process on a real Redis. */
describe('retry a faulted task', () => {
  const registry = registerSeedCoroutines(new CoroutineRegistry());
  const config = testConfig({ partitions: 4, httpAllow: ['127.0.0.1'] });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;
  let server: Server;
  let base = '';
  let failing = true;
  let hits = 0;
  let sleeps = 0;

  registry
    .register('t.sleep-then-call', function* (input) {
      yield sleep(20, 'before');
      sleeps++;
      const res = (yield http({ method: 'GET', url: String((input as { url: string }).url) }, { attempts: 1 })) as {
        body: Json;
      };
      return res.body;
    })
    .register('t.receive-then-check', function* () {
      const v = (yield receive('ready')) as Json;
      if (failing) throw new Error(`cannot take ${JSON.stringify(v)} yet`);
      return v;
    })
    .register('t.throw-at-start', function* () {
      if (failing) throw new Error('not yet');
      yield sleep(1);
      return 'started';
    });

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      if (failing) res.writeHead(500).end('down');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    worker = await createWorker(config, { heartbeatMs: 200, registry });
  });
  afterAll(async () => {
    await worker.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    failing = true;
  });

  const submit = async (name: string, input: Json = null): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name, input }]);
    return id;
  };
  const until = (id: string, statuses: string[]): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get('default', id);
      return statuses.includes(t.status) ? t : undefined;
    });

  it('an IO step that failed is performed again; the steps before keep their journaled results', async () => {
    const id = await submit('t.sleep-then-call', { url: `${base}/x` });
    const faulted = await until(id, ['faulted']);
    expect(faulted.error).toMatchObject({ status: 500 });
    expect(faulted.suspensions).toHaveLength(2);
    const before = faulted.suspensions[0];
    const hitsBefore = hits;
    const sleepsBefore = sleeps;
    failing = false;
    expect(await store.retry('default', id)).toBe('suspended');
    const t = await until(id, ['completed']);
    expect(t.output).toEqual({ ok: true });
    expect(t.retries).toBe(1);
    expect(hits).toBe(hitsBefore + 1);
    // the sleep was not slept again: its entry is the one journaled before the fault
    expect(t.suspensions).toHaveLength(2);
    expect(t.suspensions[0]).toEqual(before);
    // the worker kept no live generator for a faulted task: it replayed the journal (the code after the sleep ran again)
    expect(sleeps).toBe(sleepsBefore + 1);
  });

  it('a value received by the failing step is received again', async () => {
    const id = await submit('t.receive-then-check');
    await until(id, ['suspended']);
    await store.send('default', id, 'pear');
    const faulted = await until(id, ['faulted']);
    expect(faulted.error).toMatchObject({ detail: expect.stringMatching(/cannot take "pear" yet/) });
    failing = false;
    await store.retry('default', id);
    const t = await until(id, ['completed']);
    expect(t.output).toBe('pear');
    expect(t.suspensions).toHaveLength(1);
  });

  it('a task that failed before its first suspension starts again', async () => {
    const id = await submit('t.throw-at-start');
    await until(id, ['faulted']);
    failing = false;
    expect(await store.retry('default', id)).toBe('queued');
    expect((await until(id, ['completed'])).output).toBe('started');
  });

  it('refuses a task that is not faulted, and a task of another namespace', async () => {
    const id = await submit('seed.consumer');
    await until(id, ['suspended']);
    await expect(store.retry('default', id)).rejects.toThrow(/is not faulted: it is suspended/);
    await expect(store.retry('other', id)).rejects.toThrow(/not found/);
  });
});
