import Redis from 'ioredis';
import { activity, type Coroutine, CoroutineRegistry, type Json, sleep, TaskError } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { type ActivityContext, createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';

/** activity(): the worker runs a registered handler once per step, with http()'s retry policy. */
describe('activity steps', () => {
  const config = testConfig({ partitions: 2 });
  const calls: { name: string; args: Json; ctx: ActivityContext; at: number }[] = [];
  let flaky = 0;
  const registry = new CoroutineRegistry()
    .register('t.greet', function* (input) {
      return (yield activity('greet', input)) as Json;
    })
    .register('t.flaky', function* () {
      return (yield activity('flaky', null, { retry: { attempts: 3, delayMs: 10, backoff: 'constant' } })) as Json;
    })
    .register('t.catch', function* (input) {
      try {
        yield activity(String(input), null, { retry: { attempts: 2, delayMs: 10 } });
        return 'no error';
      } catch (err) {
        const e = err as TaskError;
        return { caught: e instanceof TaskError, status: e.status, detail: e.detail ?? null };
      }
    } as Coroutine)
    .register('t.slow', function* () {
      try {
        return (yield activity('slow', null, { timeoutMs: 100, retry: { attempts: 2, delayMs: 10 } })) as Json;
      } catch (err) {
        return (err as TaskError).status;
      }
    } as Coroutine)
    .register('t.unknown', function* () {
      return (yield activity('nobody.has.this')) as Json;
    })
    .register('t.after-sleep', function* () {
      yield sleep(3000);
      ranAt.push(Date.now()); // the code after the sleep: run ahead of its due time
      return (yield activity('stamp')) as Json;
    });
  const ranAt: number[] = [];
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let worker: Worker;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    const record = (name: string, args: Json, ctx: ActivityContext) => calls.push({ name, args, ctx, at: Date.now() });
    worker = await createWorker(config, {
      heartbeatMs: 200,
      registry,
      bullmq: false,
      activities: {
        greet: async (args, ctx) => {
          record('greet', args, ctx);
          return { hello: (args as { who: string }).who };
        },
        flaky: async (args, ctx) => {
          record('flaky', args, ctx);
          if (flaky++ < 2) throw new Error('not yet');
          return ctx.attempt;
        },
        boom: async (args, ctx) => {
          record('boom', args, ctx);
          throw new Error('the mailer is down');
        },
        refuse: async (args, ctx) => {
          record('refuse', args, ctx);
          throw new TaskError({ type: 'https://example.com/bad-address', status: 422, detail: 'no such address' });
        },
        slow: async (args, ctx) => {
          record('slow', args, ctx);
          await new Promise((r) => setTimeout(r, 2000));
          return ctx.signal?.aborted ? 'aborted' : 'done';
        },
        stamp: async (args, ctx) => {
          record('stamp', args, ctx);
          return Date.now();
        },
      },
    });
  });
  afterAll(async () => {
    await worker.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const submit = async (name: string, input: Json = null): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name, input }]);
    return id;
  };
  const ended = (id: string): Promise<TaskView> =>
    eventually(async () => {
      const t = await reader.get('default', id);
      return ['completed', 'faulted'].includes(t.status) ? t : undefined;
    });
  const callsOf = (name: string, id: string) => calls.filter((c) => c.name === name && c.ctx.taskId === id);

  it('runs the handler with the args and the step, and resumes with its result, journaled', async () => {
    const id = await submit('t.greet', { who: 'ada' });
    const t = await ended(id);
    expect(t.status).toBe('completed');
    expect(t.output).toEqual({ hello: 'ada' });
    expect(callsOf('greet', id)).toEqual([
      expect.objectContaining({ args: { who: 'ada' }, ctx: { taskId: id, step: 0, attempt: 1, namespace: 'default' } }),
    ]);
    const journal = await store.journal(id);
    expect(journal[0]).toMatchObject({ k: 'activity', r: { hello: 'ada' } });
  });

  it('retries a failing handler per the retry policy, counting attempts', async () => {
    const id = await submit('t.flaky');
    const t = await ended(id);
    expect(t.output).toBe(3);
    expect(callsOf('flaky', id).map((c) => c.ctx.attempt)).toEqual([1, 2, 3]);
  });

  it('throws the last error in at the yield once the attempts are spent, as a TaskError', async () => {
    const id = await submit('t.catch', 'boom');
    const t = await ended(id);
    expect(t.output).toEqual({ caught: true, status: 500, detail: "activity 'boom': the mailer is down" });
    expect(callsOf('boom', id)).toHaveLength(2);
  });

  it('does not retry a TaskError the handler threw with a 4xx status (as http does not)', async () => {
    const id = await submit('t.catch', 'refuse');
    expect((await ended(id)).output).toEqual({ caught: true, status: 422, detail: 'no such address' });
    expect(callsOf('refuse', id)).toHaveLength(1);
  });

  it('fails an attempt past timeoutMs with a timeout (408), retried, with the attempt signal aborted', async () => {
    const id = await submit('t.slow');
    expect((await ended(id)).output).toBe(408);
    const slow = callsOf('slow', id);
    expect(slow.map((c) => c.ctx.attempt)).toEqual([1, 2]);
    expect(slow[0].ctx.signal?.aborted).toBe(true);
  });

  it('faults a task whose activity no handler of this worker has, naming it', async () => {
    const id = await submit('t.unknown');
    const t = await ended(id);
    expect(t.status).toBe('faulted');
    expect(t.error).toMatchObject({
      status: 404,
      detail: "activity 'nobody.has.this' is not registered on this worker",
    });
  });

  it('is not performed before the sleep before it is due, though that step runs ahead of time', async () => {
    const id = await submit('t.after-sleep');
    const t = await ended(id);
    expect(t.status).toBe('completed');
    const [call] = callsOf('stamp', id);
    const created = Date.parse(t.createdAt);
    // the step after the sleep was computed well before the sleep was due (3 s after submission)...
    expect(ranAt[0]).toBeLessThan(created + 3000);
    // ...but its activity was performed only once the step was committed, at the due time
    expect(call.at).toBeGreaterThanOrEqual(created + 3000);
    expect(callsOf('stamp', id)).toHaveLength(1);
  });
});
