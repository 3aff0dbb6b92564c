import Redis, { ReplyError } from 'ioredis';
import { newId, TaskStore, type WritebackOp } from '@yieldflow/store';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * A write-back the script refuses (here made to refuse one task's op, as a Lua error would) must not be
 * retried for ever with the rest of the partition: the others are written, the one that fails faults.
 */
describe('a write-back that fails is isolated to its task', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;
  let worker: Worker;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
    await store.init();
  });
  afterAll(async () => {
    await worker?.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('faults the poisoned task with the reason and writes the others back', async () => {
    const poisoned = newId();
    worker = await createWorker(config, { heartbeatMs: 250 });
    const real = worker.store.writeback.bind(worker.store);
    worker.store.writeback = async (p: number, token: string, ops: WritebackOp[], now?: number) => {
      if (ops.some((op) => op.id === poisoned && op.o !== 'f'))
        throw new ReplyError('ERR user_script:1: too many results to unpack script: writeback');
      return real(p, token, ops, now);
    };
    const others = Array.from({ length: 20 }, () => newId());
    await store.create(
      [poisoned, ...others].map((id) => ({
        id,
        namespace: 'default',
        kind: 'coroutine' as const,
        name: 'seed.num',
        input: null,
        fresh: true,
      })),
    );
    await eventually(
      async () => ((await redis.hget(keysOf(store).task(poisoned), 'st')) === 'faulted' ? true : undefined),
      10_000,
    );
    const error = JSON.parse((await redis.hget(keysOf(store).task(poisoned), 'err')) ?? '{}');
    expect(error.title).toBe('Write-back failed');
    expect(error.detail).toContain('too many results to unpack');
    // the others are written one by one after the refused call, in claim order: some may follow the poisoned one
    const statuses = async () => Promise.all(others.map((id) => redis.hget(keysOf(store).task(id), 'st')));
    await eventually(async () => ((await statuses()).every((st) => st !== 'running') ? true : undefined), 10_000);
    expect(await statuses()).toEqual(others.map(() => 'suspended'));
  });
});
