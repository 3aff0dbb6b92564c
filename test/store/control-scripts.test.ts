import Redis from 'ioredis';
import { F, scriptSources } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';

/**
 * The slot, admit, pause, buffer and schedule scripts on a real Redis, each called directly on keys of
 * its own: what it is given, what it does to the keys, and what it answers.
 */
describe('the control scripts', () => {
  const config = testConfig();
  const lua = scriptSources();
  let redis: Redis;
  let n = 0;
  /** A fresh key prefix per case, under the suite's own. */
  const fresh = () => `${config.prefix}:{c${++n}}:`;
  const run = (file: string, prefix: string, ...args: (string | number)[]) =>
    redis.eval(lua.get(`${file}.lua`) as string, 1, prefix, ...args);

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('slot-1: acquire holds up to the limit, then lines up; a release gives the slot to the first in line', async () => {
    const s = fresh();
    expect(await run('slot-1', s, 'acquire', 'a', 2)).toBe(1);
    expect(await run('slot-1', s, 'acquire', 'a', 2)).toBe(1); // idempotent
    expect(await run('slot-1', s, 'acquire', 'b', 2)).toBe(1);
    expect(await run('slot-1', s, 'acquire', 'c', 2)).toBe(0);
    expect(await run('slot-1', s, 'acquire', 'd', 2)).toBe(0);
    expect(await run('slot-1', s, 'acquire', 'c', 2)).toBe(0); // keeps its place
    expect((await redis.smembers(`${s}h`)).sort()).toEqual(['a', 'b']);
    expect(await redis.zrange(`${s}w`, 0, -1)).toEqual(['c', 'd']);
    expect(await redis.get(`${s}l`)).toBe('2');

    expect(await run('slot-1', s, 'release', 'a', 0)).toEqual(['c']);
    expect((await redis.smembers(`${s}h`)).sort()).toEqual(['b', 'c']);
    expect(await redis.zrange(`${s}w`, 0, -1)).toEqual(['d']);
    // a waiting task released (it ended in line) leaves the line and gives nothing
    expect(await run('slot-1', s, 'release', 'd', 0)).toEqual([]);
    expect(await redis.zcard(`${s}w`)).toBe(0);
    // the limit is kept with the slot, as the latest acquire gives it
    expect(await run('slot-1', s, 'acquire', 'e', 3)).toBe(1);
    expect(await run('slot-1', s, 'acquire', 'f', 1)).toBe(0);
    // a newcomer does not jump the line: with one waiting it waits even below the limit
    expect(await run('slot-1', s, 'acquire', 'g', 5)).toBe(0);
    expect(await redis.get(`${s}l`)).toBe('5');
    expect(await run('slot-1', s, 'release', 'b', 0)).toEqual(['f', 'g']);
    expect((await redis.smembers(`${s}h`)).sort()).toEqual(['c', 'e', 'f', 'g']);
  });

  it('admit-1: a task waiting for a slot is admitted and due, or stays paused; others are left alone', async () => {
    const p = fresh();
    await redis.hset(`${p}t:q`, F.status, 'queued', F.slotWait, 1);
    await redis.hset(`${p}t:r`, F.status, 'queued', F.slotWait, 1, F.priority, 30);
    await redis.hset(`${p}t:z`, F.status, 'suspended', F.slotWait, 1, F.paused, 900, F.startedAt, 500);
    await redis.hset(`${p}t:e`, F.status, 'cancelled', F.slotWait, 1);
    await redis.hset(`${p}t:n`, F.status, 'queued');

    expect(await run('admit-1', p, 'q', 1000)).toBe(1);
    expect(await redis.hmget(`${p}t:q`, F.slotWait, F.admittedAt)).toEqual([null, '1000']);
    expect(await redis.zscore(`${p}due`, 'q')).toBe('1000');
    expect(await run('admit-1', p, 'q', 1100)).toBe(0); // no longer waiting

    expect(await run('admit-1', p, 'r', 1000)).toBe(1);
    expect(await redis.zscore(`${p}pq`, 'r')).toBe(String(70 * 10000000000000 + 1000));
    expect(await redis.zscore(`${p}due`, 'r')).toBeNull();

    expect(await run('admit-1', p, 'z', 1000)).toBe(2);
    expect(await redis.hmget(`${p}t:z`, F.slotWait, F.admittedAt, F.paused)).toEqual([null, null, '900']);
    expect(await redis.zscore(`${p}due`, 'z')).toBeNull();

    expect(await run('admit-1', p, 'e', 1000)).toBe(0);
    expect(await redis.hget(`${p}t:e`, F.slotWait)).toBeNull();
    expect(await run('admit-1', p, 'n', 1000)).toBe(0);
    expect(await redis.zcard(`${p}due`)).toBe(1);
  });

  it('pause-1: a pause takes a task out of the due set; a resume puts it back with its time paused apart', async () => {
    const p = fresh();
    await redis.hset(`${p}t:s`, F.status, 'suspended', F.namespace, 'ns', F.waitKind, 'sleep', F.due, 5000);
    await redis.zadd(`${p}due`, 5000, 's');

    expect(await run('pause-1', p, 's', 1000, 'other', 'pause', '')).toEqual([-1]);
    expect(await run('pause-1', p, 'nope', 1000, 'ns', 'pause', '')).toEqual([-1]);
    expect(await run('pause-1', p, 's', 1000, 'ns', 'pause', 'why')).toEqual([1, 'suspended']);
    expect(await redis.hmget(`${p}t:s`, F.paused, F.pauseNote)).toEqual(['1000', 'why']);
    expect(await redis.zscore(`${p}due`, 's')).toBeNull();
    expect(await redis.hget(`${p}cnt`, 'paused')).toBe('1');
    expect(await run('pause-1', p, 's', 1100, 'ns', 'pause', '')).toEqual([-4, 'paused']);

    expect(await run('pause-1', p, 's', 1600, 'ns', 'resume', '')).toEqual([1, 'suspended', 5000]);
    expect(await redis.hmget(`${p}t:s`, F.paused, F.pauseNote, F.pausedMs, F.suspendedMs)).toEqual([
      null,
      null,
      '600',
      '-600',
    ]);
    expect(await redis.zscore(`${p}due`, 's')).toBe('5000');
    expect(await redis.hget(`${p}cnt`, 'paused')).toBe('0');
    expect(await run('pause-1', p, 's', 1700, 'ns', 'resume', '')).toEqual([-4, 'suspended']);

    // a running task is marked and pauses at its next suspension; its resume only takes the mark off
    await redis.hset(`${p}t:r`, F.status, 'running', F.namespace, 'ns');
    expect(await run('pause-1', p, 'r', 2000, 'ns', 'pause', '')).toEqual([1, 'running']);
    expect(await run('pause-1', p, 'r', 2000, 'ns', 'pause', '')).toEqual([-4, 'pausing']);
    expect(await redis.hget(`${p}cnt`, 'paused')).toBe('0');
    expect(await run('pause-1', p, 'r', 2100, 'ns', 'resume', '')).toEqual([1, 'running']);
    expect(await redis.hget(`${p}t:r`, F.paused)).toBeNull();

    // a queued task with a value waiting is due at once on resume; an ended one answers its status
    await redis.hset(`${p}t:q`, F.status, 'queued', F.namespace, 'ns');
    await run('pause-1', p, 'q', 3000, 'ns', 'pause', '');
    expect(await run('pause-1', p, 'q', 3500, 'ns', 'resume', '')).toEqual([1, 'queued', 3500]);
    expect(await redis.hmget(`${p}t:q`, F.pausedMs, F.queuedMs)).toEqual(['500', '-500']);
    expect(await redis.zscore(`${p}due`, 'q')).toBe('3500');
    await redis.hset(`${p}t:d`, F.status, 'completed', F.namespace, 'ns');
    expect(await run('pause-1', p, 'd', 3000, 'ns', 'pause', '')).toEqual([0, 'completed']);
  });

  it('buffer-1: an event body is kept once for its window, and refused over the byte cap', async () => {
    const e = fresh();
    const body = '{"type":"a","data":1}';
    // id, body, now, window ms, keep ms, max bytes
    expect(await run('buffer-1', e, 'e1', body, 1000, 500, 2000, 40)).toEqual([1]);
    expect(await redis.get(`${e}b:e1`)).toBe(body);
    expect(await redis.zscore(`${e}ix`, 'e1')).toBe('1000');
    expect(await redis.hget(`${e}sz`, 'e1')).toBe(String(body.length));
    expect(await redis.get(`${e}n`)).toBe(String(body.length));
    expect(await redis.pttl(`${e}b:e1`)).toBeGreaterThan(0);
    expect(await run('buffer-1', e, 'e1', body, 1200, 500, 2000, 40)).toEqual([0]); // within the window

    // a second body would pass 40 bytes: refused, with the bytes buffered and when the oldest goes
    expect(await run('buffer-1', e, 'e2', body, 1300, 500, 2000, 40)).toEqual([-1, body.length, 1700]);
    expect(await redis.exists(`${e}b:e2`)).toBe(0);
    // past the keep time the old body no longer counts, and the new one fits
    expect(await run('buffer-1', e, 'e2', body, 3100, 500, 2000, 40)).toEqual([1]);
    expect(await redis.zrange(`${e}ix`, 0, -1)).toEqual(['e2']);
    expect(await redis.hkeys(`${e}sz`)).toEqual(['e2']);
    expect(await redis.get(`${e}n`)).toBe(String(body.length));
  });

  it('schedule-gen-1: a generation continues once; a change bumps it and sets its fields', async () => {
    const s = fresh();
    expect(await run('schedule-gen-1', s, 'continue', 0)).toBe(-1); // no such schedule
    await redis.hset(`${s}h`, 'gen', 3, 'cron', '* * * * *');
    expect(await run('schedule-gen-1', s, 'continue', 3)).toBe(4);
    expect(await redis.hmget(`${s}h`, 'gen', 'gc')).toEqual(['4', '3']);
    expect(await run('schedule-gen-1', s, 'continue', 3)).toBe(4); // a repeat answers the same
    expect(await run('schedule-gen-1', s, 'continue', 2)).toBe(-1); // stale
    expect(await run('schedule-gen-1', s, 'bump', 0, 'paused', '1', 'cron', '')).toBe(5);
    expect(await redis.hgetall(`${s}h`)).toEqual({ gen: '5', gc: '', paused: '1' });
    expect(await run('schedule-gen-1', s, 'continue', 4)).toBe(-1); // the change came first
  });

  it('schedule-record-1: a fire is recorded once, its task kept, the newest records only', async () => {
    const s = fresh();
    expect(await run('schedule-record-1', s, 't:a', 1000, '{"n":1}', 'a', 2)).toBe(-1);
    await redis.hset(`${s}h`, 'gen', 1);
    expect(await run('schedule-record-1', s, 't:a', 1000, '{"n":1}', 'a', 2)).toBe(1);
    expect(await run('schedule-record-1', s, 't:a', 1000, '{"n":1}', 'a', 2)).toBe(0); // a repeat
    expect(await run('schedule-record-1', s, 'k:2000:overlap', 2000, '{"n":2}', '', 2)).toBe(1);
    expect(await run('schedule-record-1', s, 't:c', 3000, '{"n":3}', 'c', 2)).toBe(1);
    expect(await redis.lrange(`${s}f`, 0, -1)).toEqual(['{"n":3}', '{"n":2}']);
    expect(await redis.zrange(`${s}t`, 0, -1)).toEqual(['a', 'c']);
    expect(await redis.zcard(`${s}s`)).toBe(3);
    expect(await redis.hmget(`${s}h`, 'nf', 'fired', 'last')).toEqual(['3', '2', 'c']);
  });
});
