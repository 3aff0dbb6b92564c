import Redis from 'ioredis';
import { startStack, type Stack } from '../support/stack';
import { OwnRedis, sleepMs } from './helpers';

/**
 * Redis at its maxmemory with `noeviction` refuses writes: the api answers 503 with Retry-After and says
 * Redis is out of memory (never a 500), and the tasks accepted before complete once memory is freed.
 */
describe('Redis out of memory (maxmemory, noeviction)', () => {
  const redis = new OwnRedis();
  let stack: Stack | undefined;
  let admin: Redis;

  beforeAll(async () => {
    await redis.start();
    admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
  });
  afterAll(async () => {
    await stack?.close();
    admin.disconnect();
    await redis.destroy();
  });

  async function usedMemory(): Promise<number> {
    return Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);
  }

  it('answers 503 to writes while full; accepted tasks complete once memory is freed', async () => {
    const s = (stack = await startStack({ config: { redisUrl: redis.url } }));
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-a' });
      expect(res.status).toBe(201);
      accepted.push(res.body.id as string);
    }

    // fill: a limit just above what is used, then filler keys until Redis refuses one
    await admin.config('SET', 'maxmemory', String((await usedMemory()) + 4 * 1024 * 1024));
    let refused = false;
    for (let i = 0; i < 1000 && !refused; i++) {
      await admin.set(`filler:${i}`, 'x'.repeat(64 * 1024)).catch((err: Error) => {
        if (!/^OOM /.test(err.message)) throw err;
        refused = true;
      });
    }
    expect(refused).toBe(true);
    // a refused write frees its buffer: keep the limit under what is used, so every write is refused
    await admin.config('SET', 'maxmemory', String((await usedMemory()) - 512 * 1024));

    for (const [what, res] of [
      ['POST /v1/tasks', await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' })],
      ['POST /v1/events', await s.http.post('/v1/events').send({ type: 't', source: 's', data: 'x'.repeat(1024) })],
    ] as const) {
      if (res.status !== 503) throw new Error(`${what} answered ${res.status} ${JSON.stringify(res.body)}, not 503`);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body.message).toMatch(/Redis is out of memory/);
    }

    // full for longer than the tasks' sleeps: the workers' claims and write-backs are refused meanwhile
    await sleepMs(4000);
    const meanwhile = await Promise.all(
      accepted.map(async (id) => (await s.http.get(`/v1/tasks/${id}`)).body.status as string),
    );
    expect(meanwhile.filter((st) => st === 'completed')).toEqual([]);
    await admin.config('SET', 'maxmemory', '0');
    const freed = Date.now();

    const ends = await Promise.all(accepted.map((id) => s.until(id, ['completed', 'faulted', 'cancelled'], 20_000)));
    console.log(
      `${accepted.length} tasks accepted before Redis was full: all ended ${Date.now() - freed} ms after memory was freed`,
    );
    expect(ends.map((t) => t.status)).toEqual(accepted.map(() => 'completed'));
    const again = await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' });
    expect(again.status).toBe(201);
  }, 60_000);
});
