import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import {
  type Coroutine,
  CoroutineRegistry,
  emit,
  http,
  type Json,
  receive,
  registerSeedCoroutines,
  sleep,
  spawn,
  waitForEvent,
} from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from './support/redis';

/** Every effect the engine performs, with coroutines registered for the test, on a real Redis. */
describe('engine effects', () => {
  const registry = registerSeedCoroutines(new CoroutineRegistry());
  const config = testConfig({ partitions: 4, httpAllow: ['127.0.0.1'] });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;
  let server: Server;
  let base = '';
  const hits = new Map<string, number>();
  let failuresLeft = 0;

  registry
    .register('t.wait-event', function* (input) {
      const ev = yield waitForEvent(String((input as { type: string }).type), { timeoutMs: 2000 });
      return ev as Json;
    })
    .register('t.wait-any', function* () {
      return (yield waitForEvent('*', { timeoutMs: 2000 })) as Json;
    })
    .register('t.busy-then-wait', function* () {
      yield sleep(300); // an event published now arrives while the task is not yet waiting
      return (yield waitForEvent('early.bird', { timeoutMs: 2000 })) as Json;
    })
    .register('t.http', function* (input) {
      const res = yield http(
        { method: 'POST', url: String((input as { url: string }).url), body: { n: 1 } },
        { attempts: 4, delayMs: 20, backoff: 'constant' },
      );
      return res as Json;
    })
    .register('t.emit', function* () {
      return (yield emit({ type: 'from.task', source: 'test', data: { hello: 'world' } })) as Json;
    })
    .register('t.child', function* (input) {
      yield sleep(Number(input));
      return Number(input) * 2;
    })
    .register('t.spawn-all', function* () {
      return (yield spawn(
        [
          { coroutine: 't.child', input: 50 },
          { coroutine: 't.child', input: 10 },
        ],
        'all',
      )) as Json;
    })
    .register('t.spawn-any', function* () {
      return (yield spawn(
        [
          { coroutine: 't.child', input: 2000 },
          { coroutine: 't.child', input: 20 },
        ],
        'any',
      )) as Json;
    })
    .register('t.spawn-slow', function* () {
      return (yield spawn(
        [
          { coroutine: 't.child', input: 3000 },
          { coroutine: 't.child', input: 3000 },
        ],
        'all',
      )) as Json;
    })
    .register('t.sleep-deadline', function* () {
      try {
        yield { ...sleep(5000), deadline: Date.now() + 150 };
        return 'slept';
      } catch (err) {
        return (err as { type: string }).type;
      }
    } as Coroutine)
    .register('t.closable', function* (_input, ctx) {
      try {
        ctx.record({ phase: 'started' });
        yield sleep(60_000);
      } finally {
        ctx.record({ phase: 'cleaned up' });
      }
    } as Coroutine)
    .register('t.deadline', function* () {
      try {
        yield { ...receive('never answered'), deadline: Date.now() + 200 };
        return 'answered';
      } catch (err) {
        return (err as { type: string }).type;
      }
    } as Coroutine);

  beforeAll(async () => {
    server = createServer((req, res) => {
      const key = String(req.headers['idempotency-key']);
      hits.set(key, (hits.get(key) ?? 0) + 1);
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, key }));
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

  const submit = async (name: string, input: Json = null, namespace = 'default'): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace, kind: 'coroutine', name, input }]);
    return id;
  };
  const until = (id: string, statuses: string[], timeoutMs = 10_000, namespace = 'default'): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get(namespace, id);
      return statuses.includes(t.status) ? t : undefined;
    }, timeoutMs);
  const event = (type: string, data: Json = null) => ({
    id: newId(),
    type,
    source: 'test',
    specversion: '1.0',
    time: new Date().toISOString(),
    data,
  });

  it('waitForEvent: an event of its type wakes it with the event; another type does not', async () => {
    const id = await submit('t.wait-event', { type: 'order.paid' });
    await until(id, ['suspended']);
    expect(await store.publishEvent('default', event('order.shipped'))).toBe(0);
    expect(await store.publishEvent('default', event('order.paid', { n: 7 }))).toBe(1);
    const t = await until(id, ['completed']);
    expect(t.output).toMatchObject({ type: 'order.paid', data: { n: 7 } });
  });

  it('waitForEvent: an event of another namespace does not wake it', async () => {
    const id = await submit('t.wait-event', { type: 'x.y' }, 'tenant-a');
    await until(id, ['suspended'], 10_000, 'tenant-a');
    expect(await store.publishEvent('tenant-b', event('x.y'))).toBe(0);
    expect(await store.publishEvent('tenant-a', event('x.y'))).toBe(1);
    await until(id, ['completed'], 10_000, 'tenant-a');
  });

  it("waitForEvent('*') wakes on any type", async () => {
    const id = await submit('t.wait-any');
    await until(id, ['suspended']);
    await store.publishEvent('default', event('anything.at.all'));
    expect((await until(id, ['completed'])).output).toMatchObject({ type: 'anything.at.all' });
  });

  it('an event published while the task runs towards its wait is delivered, not lost', async () => {
    const id = await submit('t.busy-then-wait');
    await until(id, ['suspended']);
    await store.publishEvent('default', event('early.bird', 'kept'));
    const t = await until(id, ['completed']);
    expect(t.output).toMatchObject({ type: 'early.bird', data: 'kept' });
    expect(t.suspensions[1].lateMs).toBeLessThan(100);
  });

  it('an event id published twice wakes once', async () => {
    const a = await submit('t.wait-event', { type: 'dup.check' });
    await until(a, ['suspended']);
    const ev = event('dup.check');
    expect(await store.publishEvent('default', ev)).toBe(1);
    expect(await store.publishEvent('default', ev)).toBe(0);
  });

  it('waitForEvent with a timeout resumes with null', async () => {
    const id = await submit('t.wait-event', { type: 'never.comes' });
    const t = await until(id, ['completed'], 5000);
    expect(t.output).toBeNull();
    expect(t.suspensions[0].lateMs).toBeLessThan(100);
  });

  it('a deadline on a wait throws the timeout error at the yield', async () => {
    const id = await submit('t.deadline');
    expect((await until(id, ['completed'], 5000)).output).toBe(
      'https://serverlessworkflow.io/spec/1.0.0/errors/timeout',
    );
  });

  it('sleeps are measured from when the step was due, so dispatch delay does not accumulate', async () => {
    const id = await submit('seed.interleave-a'); // sleeps 50, 50, 300 ms
    const t = await until(id, ['completed'], 5000);
    const due = t.suspensions.map((x) => Date.parse(x.dueAt!) - Date.parse(t.createdAt));
    expect(due).toEqual([50, 100, 400]);
  });

  it('a step run ahead of its sleep is not committed once the task was cancelled meanwhile', async () => {
    const id = await submit('seed.interleave-b'); // sleeps 200, 100, 200 ms
    await until(id, ['suspended']);
    await store.cancel('default', id);
    await new Promise((r) => setTimeout(r, 700));
    const t = await reader.get('default', id);
    expect(t.status).toBe('cancelled');
    expect(t.suspensions).toHaveLength(0);
    expect(t.steps).toBe(0);
  });

  it('a deadline before a sleep ends throws the timeout error at the sleep', async () => {
    const id = await submit('t.sleep-deadline');
    const t = await until(id, ['completed'], 3000);
    expect(t.output).toBe('https://serverlessworkflow.io/spec/1.0.0/errors/timeout');
    expect(t.elapsedMs).toBeLessThan(1000);
  });

  it('http: retried on 503 with the same Idempotency-Key, its response sent in, journaled once', async () => {
    failuresLeft = 2;
    const id = await submit('t.http', { url: `${base}/hook` });
    const t = await until(id, ['completed']);
    expect(t.output).toMatchObject({ status: 200, body: { ok: true, key: `${id}:0` } });
    expect(hits.get(`${id}:0`)).toBe(3);
    expect(t.suspensions).toHaveLength(1);
  });

  it('http: a non-2xx answer after the retries faults the task with a communication error', async () => {
    failuresLeft = 10;
    const id = await submit('t.http', { url: `${base}/hook` });
    const t = await until(id, ['faulted']);
    failuresLeft = 0;
    expect(t.error).toMatchObject({
      type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication',
      status: 503,
    });
    expect(hits.get(`${id}:0`)).toBe(4);
  });

  it('emit: publishes to the namespace, waking a waiting task, and resumes with the event', async () => {
    const waiter = await submit('t.wait-event', { type: 'from.task' });
    await until(waiter, ['suspended']);
    const emitter = await submit('t.emit');
    const e = await until(emitter, ['completed']);
    expect(e.output).toMatchObject({ type: 'from.task', specversion: '1.0', data: { hello: 'world' } });
    expect((await until(waiter, ['completed'])).output).toMatchObject({ type: 'from.task', data: { hello: 'world' } });
  });

  it("spawn 'all': the parent resumes with every child's result, in order", async () => {
    const id = await submit('t.spawn-all');
    const t = await until(id, ['completed']);
    expect(t.output).toEqual([
      { id: `${id}.0.0`, status: 'completed', output: 100 },
      { id: `${id}.0.1`, status: 'completed', output: 20 },
    ]);
    expect((await reader.get('default', `${id}.0.0`)).parentId).toBe(id);
  });

  it("spawn 'any': the first child to end wins, the others are cancelled", async () => {
    const id = await submit('t.spawn-any');
    const t = await until(id, ['completed']);
    expect(t.output).toEqual({ id: `${id}.0.1`, status: 'completed', output: 40 });
    await until(`${id}.0.0`, ['cancelled']);
  });

  it('cancelling a parent cancels its children', async () => {
    const id = await submit('t.spawn-slow');
    await until(`${id}.0.0`, ['suspended']);
    await until(`${id}.0.1`, ['suspended']);
    await store.cancel('default', id);
    await until(`${id}.0.0`, ['cancelled']);
    await until(`${id}.0.1`, ['cancelled']);
  });

  it("cancel closes the coroutine, like the seed's close(): its finally block runs and is recorded once", async () => {
    const id = await submit('t.closable');
    await until(id, ['suspended']);
    await store.cancel('default', id);
    const t = await eventually(async () => {
      const v = await reader.get('default', id);
      return (v.trace ?? []).length >= 2 ? v : undefined;
    });
    expect(t.trace).toEqual([{ phase: 'started' }, { phase: 'cleaned up' }]);
    expect(t.closed).toBe(true);
    expect(await store.closed(id, ['"again"'])).toBe(false);
  });

  it('a coroutine no worker runs waits, queued, saying for which worker', async () => {
    const id = await submit('t.not-registered');
    const view = await eventually(async () => {
      const v = await reader.get('default', id);
      return v.waitingFor?.kind === 'worker' ? v : undefined;
    });
    expect(view.status).toBe('queued');
    expect(view.waitingFor).toMatchObject({
      effect: { coroutine: 't.not-registered' },
      reason: "a worker with coroutine 't.not-registered' (none has run it yet)",
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await reader.get('default', id)).status).toBe('queued');
  });
});
