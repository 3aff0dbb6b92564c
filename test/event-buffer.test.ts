import Redis from 'ioredis';
import { type Coroutine, CoroutineRegistry, type Json, sleep, waitForEvent } from '@yieldflow/runtime';
import { LimitError, newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../apps/worker/src/create-worker';
import { RateLimitedError } from '../apps/api/src/auth/errors';
import { EventsService } from '../apps/api/src/events/events';
import { dropPrefix, eventually, REDIS_URL, testConfig } from './support/redis';
import { keysOf } from '../libs/store/src/testing';

/**
 * Buffered events: a body kept once per namespace, references in the partitions' buffers, resolved when
 * a task reaches its wait; kept for the buffer window, and the namespace's buffered bytes capped.
 */
describe('event buffer', () => {
  const registry = new CoroutineRegistry();
  const config = testConfig({ partitions: 4 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;

  registry.register('t.late-waits', function* (input) {
    const { ms, type, n } = input as { ms: number; type: string; n: number };
    yield sleep(ms); // events published meanwhile are buffered
    const got: Json[] = [];
    for (let i = 0; i < n; i++) {
      try {
        got.push((yield waitForEvent(type, { timeoutMs: 300 })) as Json);
      } catch (err) {
        got.push({ error: (err as { status: number }).status });
      }
    }
    return got;
  } as Coroutine);

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

  const submit = async (input: Json): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name: 't.late-waits', input }]);
    return id;
  };
  const until = (id: string): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get('default', id);
      return t.status === 'completed' || t.status === 'faulted' ? t : undefined;
    }, 10_000);
  const event = (type: string, data: Json = null, id = newId()) => ({
    id,
    type,
    source: 'test',
    specversion: '1.0',
    time: new Date().toISOString(),
    data,
  });
  const data = (t: TaskView) => (t.output as { data?: Json; error?: number }[]).map((e) => e?.error ?? e?.data ?? null);

  it('keeps the body once for the namespace; the partitions buffer only references', async () => {
    const ev = event('once.only', 'y'.repeat(10_000));
    await store.publishEvent('default', ev);
    expect(await redis.get(keysOf(store).eventBody('default', ev.id))).toBe(JSON.stringify(ev));
    for (let p = 0; p < config.partitions; p++) {
      for (const ty of ['once.only', '*']) {
        const members = await redis.zrange(`${keysOf(store).partition(p)}eb:default:${ty}`, 0, -1);
        expect(members).toHaveLength(1);
        expect(members[0].length).toBeLessThan(100);
      }
    }
  });

  it('delivers buffered events at later waits, each once and in order, by type and to any', async () => {
    const byType = await submit({ ms: 400, type: 'in.order', n: 4 });
    const any = await submit({ ms: 400, type: '*', n: 3 });
    await sleepMs(100);
    for (const n of [1, 2, 3]) await store.publishEvent('default', event('in.order', n));
    expect(data(await until(byType))).toEqual([1, 2, 3, null]);
    expect(data(await until(any))).toEqual([1, 2, 3]);
  });

  it('an event buffered whole (as before references) is still delivered', async () => {
    const id = await submit({ ms: 400, type: 'old.form', n: 1 });
    await sleepMs(100);
    const ev = event('old.form', 'whole');
    for (let p = 0; p < config.partitions; p++)
      await redis.zadd(`${keysOf(store).partition(p)}eb:default:old.form`, Date.now(), JSON.stringify(ev));
    expect(data(await until(id))).toEqual(['whole']);
  });

  it('a buffered event whose body expired before delivery resolves to a 410 error at the wait', async () => {
    const id = await submit({ ms: 400, type: 'gone.soon', n: 2 });
    await sleepMs(100);
    const ev = event('gone.soon', 'lost');
    await store.publishEvent('default', ev);
    await store.publishEvent('default', event('gone.soon', 'kept'));
    await redis.del(keysOf(store).eventBody('default', ev.id));
    expect(data(await until(id))).toEqual([410, 'kept']);
  });

  it('an event past the buffer window is not delivered, though its buffer still exists', async () => {
    const short = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions, eventBufferMs: 800 });
    const id = await submit({ ms: 1400, type: '*', n: 2 });
    await sleepMs(100);
    await short.publishEvent('default', event('old.one', 'old'));
    await sleepMs(600);
    // refreshes the '*' buffers, which still hold the first event when the task waits at ~1.4 s
    await short.publishEvent('default', event('new.one', 'new'));
    expect(data(await until(id))).toEqual(['new', null]);
  });

  it("caps a namespace's buffered bytes: a publish past the cap is refused until older events go", async () => {
    const capped = new TaskStore(redis, {
      prefix: config.prefix,
      partitions: config.partitions,
      eventBufferMs: 300,
      eventBufferBytes: 5000,
    });
    const first = event('capped', 'z'.repeat(2000));
    await capped.publishEvent('capped-ns', first);
    await capped.publishEvent('capped-ns', event('capped', 'z'.repeat(2000)));
    await expect(capped.publishEvent('capped-ns', event('capped', 'z'.repeat(2000)))).rejects.toThrow(LimitError);
    // a repeat of a kept event is not counted again
    expect(await capped.publishEvent('capped-ns', first)).toBe(0);
    // another namespace has a cap of its own
    await capped.publishEvent('other-ns', event('capped', 'z'.repeat(2000)));
    await sleepMs(800);
    await capped.publishEvent('capped-ns', event('capped', 'z'.repeat(2000)));
  });

  it('the api answers a publish past the cap as rate limited, with when to retry', async () => {
    const capped = new TaskStore(redis, {
      prefix: config.prefix,
      partitions: config.partitions,
      eventBufferMs: 5000,
      eventBufferBytes: 3000,
    });
    const events = new EventsService(capped, config);
    await events.publish('api-ns', { type: 'capped', source: 'test', data: 'z'.repeat(2000) });
    const refused = await events
      .publish('api-ns', { type: 'capped', source: 'test', data: 'z'.repeat(2000) })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(9);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(10);
  });
});

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
