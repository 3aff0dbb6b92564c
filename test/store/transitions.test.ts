import Redis from 'ioredis';
import { F, newId, OP_KINDS, TaskStore } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { keysOf } from '../../libs/store/src/testing';

/**
 * The claim, write-back, cancel and retry scripts on a real Redis: what each does to the task's hash, the
 * partition's sets, counters and indexes, its batch's aggregate and its outbox.
 */
describe('the transition scripts', () => {
  const config = testConfig({ partitions: 1 });
  let redis: Redis;
  let store: TaskStore;
  const P = () => keysOf(store).partition(0);
  const task = (id: string) => keysOf(store).task(id);
  const counts = async () => redis.hgetall(`${P()}cnt`);
  const ix = (name: string) => redis.zrange(`${P()}ix:ns:${name}`, 0, -1);

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: 1, retention: { defaultMs: 1000 } });
    await store.init();
    expect(await store.own(0, 'tok', 60_000, 'take')).toBe(0);
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const created = async (over: { parent?: boolean; batch?: string } = {}) => {
    const id = newId();
    const parent = over.parent ? { id: 'par1', seq: 4, index: 2, depth: 1, root: 'par1' } : undefined;
    await store.create(
      [{ id, namespace: 'ns', kind: 'coroutine', name: 'seed.x', input: { a: 1 }, parent, batchId: over.batch }],
      1000,
    );
    return id;
  };

  it('claim-1 and writeback-1: a task runs, suspends in a sleep, is claimed at its due time and completes', async () => {
    const id = await created({ parent: true, batch: 'bt1' });
    const first = await store.claim(0, 'tok', 10, 2000);
    expect(first?.tasks).toEqual([
      expect.objectContaining({ id, kind: 'coroutine', name: 'seed.x', input: { a: 1 }, seq: 0, namespace: 'ns' }),
    ]);
    expect(first?.tasks[0].resolution).toEqual({ type: 'start' });
    expect(await redis.hmget(task(id), F.status, F.startedAt, F.queuedMs)).toEqual(['running', '2000', '1000']);
    expect(await redis.zscore(`${P()}act`, id)).toBe('2000');

    const sleep = JSON.stringify({ kind: 'sleep', ms: 500 });
    expect(
      await store.writeback(0, 'tok', [{ id, seq: 0, o: OP_KINDS.suspend, wk: 'sleep', w: sleep, due: 2500 }], 2100),
    ).toEqual([1]);
    expect(await redis.hmget(task(id), F.status, F.waitKind, F.due, F.runningMs)).toEqual([
      'suspended',
      'sleep',
      '2500',
      '100',
    ]);
    expect(await redis.zscore(`${P()}due`, id)).toBe('2500');
    expect(await redis.zscore(`${P()}act`, id)).toBeNull();

    expect((await store.claim(0, 'tok', 10, 2400))?.tasks).toEqual([]);
    const second = await store.claim(0, 'tok', 10, 2600);
    expect(second?.tasks[0]).toMatchObject({ id, seq: 0, waitKind: 'sleep', dueAt: 2500, suspendedAt: 2100 });
    expect(second?.tasks[0].resolution).toEqual({ type: 'result', entry: { r: null } });

    const entry = JSON.stringify({ k: 'sleep', r: null, t: 2600 });
    expect(
      await store.writeback(0, 'tok', [{ id, seq: 0, e: entry, o: OP_KINDS.complete, out: '{"done":true}' }], 2700),
    ).toEqual([1]);
    expect(await redis.hmget(task(id), F.status, F.seq, F.output, F.finishedAt)).toEqual([
      'completed',
      '1',
      '{"done":true}',
      '2700',
    ]);
    expect(await redis.lrange(keysOf(store).journal(id), 0, -1)).toEqual([entry]);
    expect(await redis.lrange(`${P()}ob`, 0, -1)).toEqual([
      `{"kind":"child","parent":"par1","pseq":4,"pidx":2,"child":"${id}","status":"completed","output":{"done":true}}`,
    ]);
    expect(await counts()).toMatchObject({ queued: '0', running: '0', suspended: '0', completed: '1' });
    expect(await redis.hgetall(`${P()}bt:bt1`)).toMatchObject({ completed: '1', running: '0', sum: '1700' });
    expect(await ix('live')).toEqual([]);
    expect(await ix('s:completed')).toHaveLength(1);
    expect(await redis.zscore(`${P()}exp`, id)).toBe('3700');
    await redis.del(`${P()}ob`);
  });

  it('writeback-1: a step run ahead of a sleep commits only in that very sleep, with its resume time', async () => {
    const id = await created();
    await store.claim(0, 'tok', 10, 2000);
    const w = JSON.stringify({ kind: 'sleep', ms: 1000 });
    await store.writeback(0, 'tok', [{ id, seq: 0, o: OP_KINDS.suspend, wk: 'sleep', w, due: 3000 }], 2000);
    const ahead = { id, seq: 0, adv: 3000, e: '{"k":"sleep","r":null}', o: OP_KINDS.complete, out: '1' };
    expect(await store.writeback(0, 'tok', [ahead], 2999)).toEqual([0]);
    expect(await store.writeback(0, 'tok', [{ ...ahead, adv: 2999 }], 3000)).toEqual([0]);
    expect(await store.writeback(0, 'tok', [ahead], 3001)).toEqual([1]);
    expect(await redis.lrange(keysOf(store).journal(id), 0, -1)).toEqual(['{"k":"sleep","r":null,"t":3001}']);
    expect(await redis.hmget(task(id), F.status, F.suspendedMs)).toEqual(['completed', '1001']);
    expect(await redis.zscore(`${P()}due`, id)).toBeNull();
  });

  it('writeback-1: one call applies each op by its transition: a value waiting, a held effect paused, a fault', async () => {
    const [a, b, c] = [await created(), await created(), await created()];
    await store.claim(0, 'tok', 10, 5000);
    await redis.rpush(`${P()}i:${a}`, '"v"');
    await redis.hset(task(a), F.notify, 1, F.sent, 1);
    await redis.hset(task(b), F.paused, 5050);
    const before = Number((await counts()).paused ?? 0);
    const e = '{"k":"start","r":null,"t":5000}';
    const ops = [
      { id: a, seq: 0, e, o: OP_KINDS.suspend, wk: 'receive', w: '{"kind":"receive"}' },
      { id: b, seq: 0, e, o: OP_KINDS.suspend, wk: 'http', w: '{"kind":"http"}', hold: true },
      { id: c, seq: 0, e, o: OP_KINDS.fault, err: '{"title":"boom"}' },
    ];
    expect(await store.writeback(0, 'tok', ops, 5100)).toEqual([2, 1, 1]);
    // a value waits in the inbox: due at once; its sender is still told (one sent, none received yet)
    expect(await redis.hmget(task(a), F.status, F.due, F.seq, F.notify)).toEqual(['suspended', '5100', '1', '1']);
    expect(await redis.zscore(`${P()}due`, a)).toBe('5100');
    expect(await redis.zscore(`${P()}act`, a)).toBeNull();
    // a held effect stays active; paused while it ran, its pause begins now
    expect(await redis.hmget(task(b), F.status, F.paused)).toEqual(['suspended', '5100']);
    expect(await redis.zscore(`${P()}act`, b)).toBe('5100');
    expect(await redis.zscore(`${P()}due`, b)).toBeNull();
    expect(Number((await counts()).paused)).toBe(before + 1);
    // the fault keeps the failing step's entry, marked for a retry to take off
    expect(await redis.hmget(task(c), F.status, F.error, F.faultEntry, F.finishedAt)).toEqual([
      'faulted',
      '{"title":"boom"}',
      '1',
      '5100',
    ]);
    expect(await redis.lrange(keysOf(store).journal(c), 0, -1)).toEqual([e]);
    expect(await ix('s:faulted')).toEqual([expect.stringMatching(new RegExp(`:${c}$`))]);
  });

  it('writeback-1: over a budget the task faults, its end read in full, and answers 3', async () => {
    const s = new TaskStore(redis, { prefix: `${config.prefix}-b`, partitions: 1, budgets: { steps: 1 } });
    await s.own(0, 'tok', 60_000, 'take');
    const id = newId();
    await s.create([{ id, namespace: 'ns', kind: 'coroutine', name: 'x', input: null }], 1000);
    await redis.hset(keysOf(s).task(id), F.slot, 'yf:{cc:ns:h}:');
    await s.claim(0, 'tok', 10, 1000);
    const e = '{"k":"sleep","r":null,"t":1}';
    expect(
      await s.writeback(0, 'tok', [{ id, seq: 1, e, o: OP_KINDS.suspend, wk: 'sleep', w: '{}', due: 9 }], 1100),
    ).toEqual([0]);
    await redis.hset(keysOf(s).task(id), F.seq, 1);
    expect(
      await s.writeback(0, 'tok', [{ id, seq: 1, e, o: OP_KINDS.suspend, wk: 'sleep', w: '{}', due: 9 }], 1100),
    ).toEqual([3]);
    expect(JSON.parse((await redis.hget(keysOf(s).task(id), F.error)) ?? '{}')).toMatchObject({
      title: 'Budget exceeded',
      budget: { name: 'LIMIT_TASK_STEPS', limit: 1, value: 2 },
    });
    expect(await redis.lrange(`${keysOf(s).partition(0)}ob`, 0, -1)).toEqual([
      `{"kind":"release","slot":"yf:{cc:ns:h}:","id":"${id}"}`,
    ]);
    await dropPrefix(`${config.prefix}-b`);
  });

  it('cancel-1 and retry-1: a cancel ends the task and its indexes; a retry brings a faulted one back', async () => {
    const id = await created({ batch: 'bt2' });
    expect(await store.cancel('ns', id, 1500)).toBe('queued');
    expect(await redis.hmget(task(id), F.status, F.finishedAt, F.closed)).toEqual(['cancelled', '1500', '1']);
    expect(await redis.hgetall(`${P()}bt:bt2`)).toMatchObject({
      queued: '0',
      cancelled: '1',
      sum: '500',
      last: '1500',
    });
    expect(await redis.zscore(`${P()}exp`, id)).toBe('2500');

    const f = await created({ batch: 'bt3' });
    await store.claim(0, 'tok', 10, 2000);
    const err = JSON.stringify({ type: 'x', status: 500, title: 'boom' });
    expect(await store.writeback(0, 'tok', [{ id: f, seq: 0, o: OP_KINDS.fault, err }], 2100)).toEqual([1]);
    expect(await redis.hgetall(`${P()}bt:bt3`)).toMatchObject({ faulted: '1' });
    const before = await counts();
    expect(await store.retry('ns', f, 2200)).toBe('queued');
    expect(await redis.hmget(task(f), F.status, F.error, F.retries)).toEqual(['queued', null, '1']);
    expect(await redis.zscore(`${P()}due`, f)).toBe('2200');
    expect(await redis.zscore(`${P()}exp`, f)).toBeNull();
    expect(await counts()).toMatchObject({
      faulted: String(Number(before.faulted) - 1),
      queued: String(Number(before.queued) + 1),
    });
    expect(await redis.hgetall(`${P()}bt:bt3`)).toMatchObject({ faulted: '0', queued: '1' });
    expect((await ix('live')).some((m) => m.endsWith(`:${f}`))).toBe(true);
  });
});
