import Redis from 'ioredis';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from './support/redis';

describe('engine: store + dispatcher on a real Redis', () => {
  const config = testConfig({ partitions: 4 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    worker = await createWorker(config, { heartbeatMs: 200 });
  });
  afterAll(async () => {
    await worker.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const submit = async (coroutine: string, input: unknown = null): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name: coroutine, input: input as never }]);
    return id;
  };
  const until = (id: string, statuses: string[], timeoutMs = 10_000): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get('default', id);
      return statuses.includes(t.status) ? t : undefined;
    }, timeoutMs);

  it('runs func_b: one 3 s sleep, resumed on time, with its suspension recorded', async () => {
    const id = await submit('seed.func-b');
    const t = await until(id, ['completed'], 6000);
    expect(t.output).toBe('b done');
    expect(t.suspensions).toHaveLength(1);
    expect(t.suspensions[0]).toMatchObject({ kind: 'sleep', label: 'b1' });
    expect(t.suspensions[0].lateMs).toBeGreaterThanOrEqual(0);
    expect(t.suspensions[0].lateMs).toBeLessThan(100);
    // the sleep is measured from the task's submission: queueing delay is part of its 3 s, not added to it
    expect(t.elapsedMs).toBeGreaterThanOrEqual(3000);
    expect(t.elapsedMs).toBeLessThan(3100);
    expect(t.breakdown.queuedMs + t.breakdown.runningMs + t.breakdown.suspendedMs).toBe(t.elapsedMs);
  });

  it('seed.num answers what it is sent, and a value sent while it runs is kept for its next receive', async () => {
    const id = await submit('seed.num');
    let t = await until(id, ['suspended']);
    expect(t.yielded).toBe(1);
    await store.send('default', id, 5);
    t = await eventually(async () => {
      const v = await reader.get('default', id);
      return v.steps === 1 && v.status === 'suspended' ? v : undefined;
    });
    expect(t.yielded).toBe(5);
    expect(t.suspensions[0]).toMatchObject({ kind: 'receive', result: 5 });
  });

  it('refuses a send to a sleeping task, saying what it does instead', async () => {
    const id = await submit('seed.func-b');
    await until(id, ['suspended']);
    const res = await store.send('default', id, 1);
    expect(res).toMatchObject({ accepted: false, status: 'suspended', waitKind: 'sleep' });
    await store.cancel('default', id);
    expect((await reader.get('default', id)).status).toBe('cancelled');
  });
});
