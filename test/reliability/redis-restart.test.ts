import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/redis';
import { OwnRedis, sleepMs } from './helpers';

/**
 * Redis restarted under a running stack (its own redis-server, appendonly yes, appendfsync everysec):
 * while it is down the api answers 503 with Retry-After; it recovers by itself when Redis returns, and
 * every task accepted before the restart completes, each step run once. Stopped with SHUTDOWN (the AOF
 * is fsynced: nothing acknowledged is lost) and with kill -9 (up to the last second of writes may be
 * lost: tasks acknowledged more than 1 s earlier must survive, and no task may be left half-written).
 */
describe('Redis restarted under a running stack', () => {
  const redis = new OwnRedis();
  let stack: Stack | undefined;

  beforeAll(async () => {
    await redis.start();
  });
  afterEach(async () => {
    if (redis.proc?.exitCode !== null || redis.proc?.signalCode !== null) await redis.start();
    await stack?.close();
    stack = undefined;
  });
  afterAll(async () => {
    await redis.destroy();
  });

  /** While Redis is down: the api's reads, writes and health answer 503 with Retry-After, and keep doing so. */
  async function expectUnavailable(s: Stack, id: string, forMs: number): Promise<number> {
    let answers = 0;
    const end = Date.now() + forMs;
    do {
      for (const [what, res] of [
        ['GET /v1/tasks/:id', await s.http.get(`/v1/tasks/${id}`)],
        ['POST /v1/tasks', await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' })],
        ['POST /v1/events', await s.http.post('/v1/events').send({ type: 't', source: 's' })],
        ['GET /health', await s.http.get('/health')],
      ] as const) {
        if (res.status !== 503) throw new Error(`${what} answered ${res.status} ${JSON.stringify(res.body)}, not 503`);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        answers++;
      }
      await sleepMs(200);
    } while (Date.now() < end);
    return answers;
  }

  /** Start Redis again: time until the api answers again, without being restarted itself. */
  async function restartAndRecover(s: Stack, id: string): Promise<number> {
    const started = Date.now();
    await redis.start();
    await eventually(async () => ((await s.http.get(`/v1/tasks/${id}`)).status === 200 ? true : undefined), 15_000, 50);
    return Date.now() - started;
  }

  async function submit(s: Stack, n: number): Promise<string[]> {
    const res = await s.http
      .post('/v1/batches')
      .send({ tasks: Array.from({ length: n }, () => ({ coroutine: 'seed.func-a' })) });
    expect(res.status).toBe(201);
    return res.body.taskIds as string[];
  }

  async function expectRanOnce(s: Stack, ids: string[]): Promise<void> {
    for (const id of ids) {
      const t = (await s.http.get(`/v1/tasks/${id}`)).body;
      expect(t.status).toBe('completed');
      expect(t.suspensions.map((x: { label: string }) => x.label)).toEqual(['a1', 'a2', 'a3']);
    }
  }

  async function allEnded(s: Stack, ids: string[], timeoutMs: number): Promise<void> {
    await eventually(
      async () => {
        for (const id of ids) {
          const st = (await s.http.get(`/v1/tasks/${id}`)).body.status;
          if (st !== 'completed') return undefined;
        }
        return true;
      },
      timeoutMs,
      250,
    );
  }

  it('SHUTDOWN and restart: the api answers 503 meanwhile, recovers by itself, and every accepted task completes', async () => {
    const s = (stack = await startStack({ workers: 2, config: { redisUrl: redis.url } }));
    const ids = await submit(s, 300);
    await sleepMs(1200); // mid-run: between their first and second sleep
    await redis.shutdown();
    const down = await expectUnavailable(s, ids[0], 4000); // longer than the partition lease
    const recoveredMs = await restartAndRecover(s, ids[0]);
    // the api takes new work again, and the workers run old and new
    const after = await submit(s, 10);
    await allEnded(s, [...ids, ...after], 30_000);
    await expectRanOnce(s, [...ids, ...after]);
    console.log(
      `redis SHUTDOWN for 4 s: ${down} answers while down, all 503 with Retry-After; api answering again ${recoveredMs} ms after redis-server was started again; ${ids.length}/${ids.length} accepted tasks completed`,
    );
  }, 60_000);

  it('kill -9 and restart: tasks acknowledged more than 1 s before complete; none is left half-written', async () => {
    const s = (stack = await startStack({ workers: 2, config: { redisUrl: redis.url } }));
    const settled = await submit(s, 300);
    await sleepMs(1500); // past appendfsync everysec: on disk
    // then a stream of submissions right up to the kill: inside the data-loss window
    const late: string[] = [];
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        const res = await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-a' });
        if (res.status === 201) late.push(res.body.id);
      }
    })();
    await sleepMs(300);
    await redis.kill();
    streaming = false;
    await stream;
    const down = await expectUnavailable(s, settled[0], 4000);
    const recoveredMs = await restartAndRecover(s, settled[0]);

    await allEnded(s, settled, 30_000);
    await expectRanOnce(s, settled);
    // the late ones: each either survived (and then completes, every step once) or is gone altogether
    const survived: string[] = [];
    for (const id of late) {
      const res = await s.http.get(`/v1/tasks/${id}`);
      if (res.status === 404) continue;
      expect(res.status).toBe(200);
      survived.push(id);
    }
    await allEnded(s, survived, 30_000);
    await expectRanOnce(s, survived);
    console.log(
      `redis kill -9 for 4 s: ${down} answers while down, all 503; api answering again ${recoveredMs} ms after redis-server was started again; ` +
        `${settled.length}/${settled.length} tasks acknowledged > 1 s before completed; of ${late.length} acknowledged in the last 300 ms, ${survived.length} survived and completed, ${late.length - survived.length} were lost`,
    );
  }, 60_000);
});
