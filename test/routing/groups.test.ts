import Redis from 'ioredis';
import { CoroutineRegistry, type Effect, type Json, receive, sleep } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/** Worker groups with different coroutine sets on one Redis and prefix: each task runs where its coroutine is. */
describe('worker groups', () => {
  const config = testConfig({ partitions: 4 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  const workers: Worker[] = [];

  const tagged = (group: string, names: string[]): CoroutineRegistry => {
    const registry = new CoroutineRegistry();
    for (const name of names) {
      registry.register(name, function* (input): Generator<Effect, Json, Json> {
        yield sleep(20);
        if ((input as { ask?: boolean } | null)?.ask) return { group, got: (yield receive(group)) as Json };
        return { group, name };
      });
    }
    return registry;
  };
  const start = async (group: string, names: string[]): Promise<Worker> => {
    const w = await createWorker(config, { registry: tagged(group, names), group, heartbeatMs: 200, leaseMs: 1000 });
    workers.push(w);
    return w;
  };
  const submit = async (name: string, input: Json = null): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name, input }]);
    return id;
  };
  const ended = (id: string): Promise<TaskView> =>
    eventually(async () => {
      const v = await reader.get('default', id);
      return v.status === 'completed' || v.status === 'faulted' ? v : undefined;
    }, 20_000);

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    redis.disconnect();
    await dropPrefix(config.prefix);
  });

  it('each task runs in the group that has its coroutine, every partition owned by both groups', async () => {
    const a = await start('orders', ['orders.ship', 'shared.ping']);
    const b = await start('mail', ['mail.send', 'shared.ping']);
    await eventually(async () =>
      a.dispatcher.partitionsOwned.length === 4 && b.dispatcher.partitionsOwned.length === 4 ? true : undefined,
    );
    const ships = await Promise.all(Array.from({ length: 40 }, () => submit('orders.ship')));
    const mails = await Promise.all(Array.from({ length: 40 }, () => submit('mail.send')));
    const pings = await Promise.all(Array.from({ length: 20 }, () => submit('shared.ping')));
    for (const id of ships) expect((await ended(id)).output).toEqual({ group: 'orders', name: 'orders.ship' });
    for (const id of mails) expect((await ended(id)).output).toEqual({ group: 'mail', name: 'mail.send' });
    for (const id of pings) expect((await ended(id)).status).toBe('completed');
  });

  it('a task suspended in one group resumes in it when a value is sent', async () => {
    const id = await submit('mail.send', { ask: true });
    await eventually(async () => ((await reader.get('default', id)).status === 'suspended' ? true : undefined));
    expect((await store.send('default', id, 'hi')).status).not.toBe('not-found');
    expect((await ended(id)).output).toEqual({ group: 'mail', got: 'hi' });
  });

  it('a task of a coroutine no worker runs waits, visibly, and runs once a worker with it starts', async () => {
    const id = await submit('late.report');
    const waiting = await eventually(async () => {
      const v = await reader.get('default', id);
      return v.waitingFor?.kind === 'worker' ? v : undefined;
    });
    expect(waiting.status).toBe('queued');
    expect(waiting.waitingFor?.reason).toBe("a worker with coroutine 'late.report' (none has run it yet)");
    // the other groups' claims have seen it by now and parked it, without faulting it
    await new Promise((r) => setTimeout(r, 500));
    expect((await reader.get('default', id)).status).toBe('queued');
    await start('reports', ['late.report']);
    expect((await ended(id)).output).toEqual({ group: 'reports', name: 'late.report' });
  });

  it('the running tasks of a group gone for good (its leases expired) are recovered by another group', async () => {
    const gone = new TaskStore(redis, {
      prefix: config.prefix,
      partitions: config.partitions,
      group: 'gone',
      serves: ['solo.job'],
    });
    const id = await submit('solo.job');
    const p = store.partitionOf(id);
    const token = gone.token('w-gone', 'x');
    expect(await gone.own(p, token, 300, 'take')).toBeGreaterThanOrEqual(0);
    // claimed by the 'gone' group (from the due set, or where another group parked it), never written back
    const claimed = await eventually(async () =>
      (await gone.claim(p, token, 10))?.tasks.some((t) => t.id === id) ? true : undefined,
    );
    expect(claimed).toBe(true);
    expect((await reader.get('default', id)).status).toBe('running');
    await new Promise((r) => setTimeout(r, 400)); // its lease expires
    await start('solo', ['solo.job']);
    expect((await ended(id)).output).toEqual({ group: 'solo', name: 'solo.job' });
    expect(await redis.exists(`${keysOf(store).partition(p)}act:gone`)).toBe(0);
  });
});
