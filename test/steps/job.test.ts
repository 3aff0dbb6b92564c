import { randomUUID } from 'node:crypto';
import { Queue, Worker as BullWorker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { type Coroutine, CoroutineRegistry, job, type Json, TaskError } from '@yieldflow/runtime';
import { newId, TaskReader, TaskStore } from '@yieldflow/store';
import type { TaskView } from '@yieldflow/contracts';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { stepJobId } from '../../apps/worker/src/job-steps';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/** job(): a step that is a job of the user's own BullMQ queue, processed by an ordinary BullMQ Worker. */
describe('job steps', () => {
  const config = testConfig({ partitions: 2 });
  const queueName = `q-${randomUUID().slice(0, 8)}`;
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379), maxRetriesPerRequest: null };
  const registry = new CoroutineRegistry()
    .register('t.job', function* (input) {
      return (yield job(queueName, 'double', input)) as Json;
    })
    .register('t.bad-queue', function* () {
      try {
        yield job('not:a:queue', 'x', null);
        return 'added';
      } catch (err) {
        return (err as TaskError).detail ?? null;
      }
    } as Coroutine)
    .register('t.job-fails', function* () {
      try {
        yield job(queueName, 'fail', null, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
        return 'no error';
      } catch (err) {
        const e = err as TaskError;
        return { caught: e instanceof TaskError, status: e.status, detail: e.detail ?? null };
      }
    } as Coroutine);
  const runs = new Map<string, number>();
  let redis: Redis;
  let store: TaskStore;
  let reader: TaskReader;
  let queue: Queue;
  let users: BullWorker | null = null;
  const workers: Worker[] = [];

  /** The user's BullMQ worker: it knows nothing of tasks. */
  const startUserWorker = () =>
    new BullWorker(
      queueName,
      async (j: Job) => {
        runs.set(j.id!, (runs.get(j.id!) ?? 0) + 1);
        if (j.name === 'fail') throw new Error(`attempt ${j.attemptsMade + 1} failed`);
        return { doubled: Number(j.data) * 2 };
      },
      { connection, concurrency: 10 },
    );
  const startOurs = async () => {
    const w = await createWorker(config, { heartbeatMs: 200, leaseMs: 1000, registry });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    reader = new TaskReader(store);
    queue = new Queue(queueName, { connection });
  });
  afterAll(async () => {
    await users?.close();
    for (const w of workers) await w.close().catch(() => undefined);
    await queue.obliterate({ force: true });
    await queue.close();
    const steps = new Queue(`${config.prefix}.steps`, { connection });
    await steps.obliterate({ force: true });
    await steps.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const submit = async (name: string, input: Json = null): Promise<string> => {
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name, input }]);
    return id;
  };
  const status = async (id: string): Promise<TaskView> => reader.get('default', id);
  const ended = (id: string): Promise<TaskView> =>
    eventually(async () => {
      const t = await status(id);
      return ['completed', 'faulted'].includes(t.status) ? t : undefined;
    }, 20_000);

  it('adds the job under the step id, and resumes the task with its return value', async () => {
    await startOurs();
    users = startUserWorker();
    const id = await submit('t.job', 21);
    const t = await ended(id);
    expect(t.status).toBe('completed');
    expect(t.output).toEqual({ doubled: 42 });
    const jobId = stepJobId(config.prefix, id, 0);
    expect(runs.get(jobId)).toBe(1);
    expect((await store.journal(id))[0]).toMatchObject({ k: 'job', r: { doubled: 42 } });
    expect(await redis.smembers(keysOf(store).jobQueues)).toEqual([queueName]);
  });

  it('throws the failure in at the yield once BullMQ has spent the attempts', async () => {
    const id = await submit('t.job-fails');
    const t = await ended(id);
    expect(t.output).toEqual({ caught: true, status: 500, detail: 'attempt 2 failed' });
    expect(runs.get(stepJobId(config.prefix, id, 0))).toBe(2);
  });

  it('throws a queue name BullMQ cannot take in at the yield', async () => {
    const id = await submit('t.bad-queue');
    expect((await ended(id)).output).toBe(`job: queue must be a non-empty name without ':', got "not:a:queue"`);
  });

  it('resumes a task whose job completed while no worker of ours ran, once one starts', async () => {
    await users!.close();
    users = null;
    const id = await submit('t.job', 5);
    const jobId = stepJobId(config.prefix, id, 0);
    await eventually(async () => ((await queue.getJob(jobId)) ? true : undefined));
    for (const w of workers.splice(0)) await w.close();

    users = startUserWorker();
    await eventually(async () => ((await (await queue.getJob(jobId))?.isCompleted()) ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect((await status(id)).status).toBe('suspended');

    await startOurs();
    const t = await ended(id);
    expect(t.output).toEqual({ doubled: 10 });
    expect(runs.get(jobId)).toBe(1);
  });
});
