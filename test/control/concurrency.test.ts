import Redis from 'ioredis';
import type { TaskView } from '@yieldflow/contracts';
import type { Json } from '@yieldflow/runtime';
import { ConcurrencyLimits, newId, type NewTask, partitionOf, TaskReader, TaskStore } from '@yieldflow/store';
import { exited, partitionOwners, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

/**
 * Concurrency limits with two real worker processes (built: `npm run build`): tasks over a limit wait
 * queued in order, start as slots free, and no end (complete, fault, cancel, terminate, a worker killed)
 * leaks a slot or lets two start at once.
 */
describe('concurrency limits', () => {
  const config = testConfig({ partitions: 8 });
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let limits: ConcurrencyLimits;
  const procs: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    limits = new ConcurrencyLimits(store, 0);
    await store.init();
    procs.push(spawnApp('worker', config, { WORKER_ID: 'one' }), spawnApp('worker', config, { WORKER_ID: 'two' }));
    // started once the partitions have settled between the two: a task is not created into one in hand-over
    await untilPartitionsHeldBy(store, ['one', 'two'], 15_000, { balanced: true });
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  /** Create tasks one request at a time, in order, each with the slot its limit gives it. */
  const submit = async (name: string, inputs: Json[]): Promise<string[]> => {
    const ids: string[] = [];
    for (const input of inputs) {
      const task: NewTask = { id: newId(), namespace: 'default', kind: 'coroutine', name, input };
      const slot = await limits.slotFor(task);
      await store.create([slot ? { ...task, slot } : task]);
      ids.push(task.id);
    }
    return ids;
  };
  const view = (id: string) => reader.get('default', id, { journal: false });
  const until = (id: string, statuses: string[], timeoutMs = 20_000): Promise<TaskView> =>
    eventually(async () => {
      const t = await view(id);
      return statuses.includes(t.status) ? t : undefined;
    }, timeoutMs);
  const usage = (name: string, key: Json) => limits.usage('default', name, key, true);
  /** Each task started after the one before it finished. */
  const oneAtATime = (tasks: TaskView[]) => {
    for (let i = 1; i < tasks.length; i++)
      expect(Date.parse(tasks[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(tasks[i - 1].finishedAt!));
  };

  it('one running task per customer: the rest wait queued, in order, and start as slots free', async () => {
    await limits.set('default', { name: 'seed.interleave-a', limit: 1, key: '${ .customerId }' }); // 400 ms each
    const byCustomer: Record<string, string[]> = { a: [], b: [], c: [] };
    for (let i = 0; i < 4; i++)
      for (const c of Object.keys(byCustomer))
        byCustomer[c].push(...(await submit('seed.interleave-a', [{ customerId: c, i }])));
    // while the first of each customer runs, the other nine wait queued
    await Promise.all(Object.values(byCustomer).map((ids) => until(ids[0], ['running', 'suspended', 'completed'])));
    const early = await Promise.all(
      Object.values(byCustomer)
        .flatMap((ids) => ids.slice(1))
        .map(view),
    );
    expect(early.filter((t) => t.status !== 'queued').length).toBeLessThanOrEqual(3);
    for (const ids of Object.values(byCustomer)) {
      const done = await Promise.all(ids.map((id) => until(id, ['completed'])));
      oneAtATime(done);
    }
    // customers ran side by side
    const firsts = await Promise.all(Object.values(byCustomer).map((ids) => view(ids[0])));
    expect(Math.max(...firsts.map((t) => Date.parse(t.startedAt!)))).toBeLessThan(
      Math.min(...firsts.map((t) => Date.parse(t.finishedAt!))),
    );
    for (const c of Object.keys(byCustomer))
      expect(await usage('seed.interleave-a', c)).toEqual({ running: 0, waiting: 0 });
  });

  it('cancel, terminate, complete and fault each free the slot for the next in line', async () => {
    await limits.set('default', { name: 'seed.func-b', limit: 1, key: 'customer' }); // sleeps 3 s
    const [t1, t2, t3, t4] = await submit('seed.func-b', [
      { customer: 'x' },
      { customer: 'x' },
      { customer: 'x' },
      { customer: 'x' },
    ]);
    await until(t1, ['suspended']);
    await new Promise((r) => setTimeout(r, 200));
    expect((await Promise.all([t2, t3, t4].map(view))).map((t) => t.status)).toEqual(['queued', 'queued', 'queued']);
    expect(await usage('seed.func-b', 'x')).toEqual({ running: 1, waiting: 3 });
    await store.cancel('default', t1);
    await until(t2, ['suspended']);
    await store.cancel('default', t2, Date.now(), true);
    await until(t3, ['suspended']);
    // a task cancelled while it waits in line leaves the line
    await store.cancel('default', t4);
    await until(t3, ['completed']);
    await eventually(async () => ((await usage('seed.func-b', 'x')).running === 0 ? true : undefined));
    expect(await usage('seed.func-b', 'x')).toEqual({ running: 0, waiting: 0 });

    // faults (demo.sleep-call without a url throws at once), and a retry takes a slot again
    await limits.set('default', { name: 'demo.sleep-call', limit: 1 });
    const [f1, f2] = await submit('demo.sleep-call', [{}, {}]);
    await until(f1, ['faulted']);
    await until(f2, ['faulted']);
    await store.retry('default', f1);
    expect((await until(f1, ['faulted'])).retries).toBe(1);
    await eventually(async () => ((await usage('demo.sleep-call', null)).running === 0 ? true : undefined));
  });

  it('a worker killed while its task holds a slot: the take-over neither leaks it nor starts two', async () => {
    await limits.set('default', { name: 'seed.func-b', limit: 1, key: 'customer' });
    const ids = await submit('seed.func-b', [{ customer: 'k' }, { customer: 'k' }, { customer: 'k' }]);
    await until(ids[0], ['suspended']);
    const owner = (await partitionOwners(store))[partitionOf(ids[0], config.partitions)]!.split(':')[0];
    const killed = owner === 'one' ? procs[0] : procs[1];
    killed.kill('SIGKILL');
    await exited(killed);
    const done = await Promise.all(ids.map((id) => until(id, ['completed'], 30_000)));
    oneAtATime(done);
    expect(await usage('seed.func-b', 'k')).toEqual({ running: 0, waiting: 0 });
  }, 60_000);
});
