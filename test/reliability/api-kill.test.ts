import Redis from 'ioredis';
import { idForKey, TaskStore } from '@yieldflow/store';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { exited, spawnApp } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { freePort, sleepMs } from './helpers';
import { keysOf } from '../../libs/store/src/testing';

/**
 * kill -9 of the api during a stream of submissions carrying Idempotency-Keys: clients retry whatever
 * got no answer (connection refused or reset), and in the end each key made exactly one task, which ran once.
 */
describe('the api killed with SIGKILL during submissions', () => {
  const KEYS = 1500;
  const CLIENTS = 16;
  const config = testConfig({ partitions: 8 });
  let redis: Redis;
  let store: TaskStore;
  let worker: Worker | undefined;
  let api: ReturnType<typeof spawnApp> | undefined;
  const procs: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await worker?.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  it('ends with each key mapped to exactly one task, created once and run once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const startApi = async () => {
      api = spawnApp('api', config, { PORT: String(port), HOST: '127.0.0.1' });
      procs.push(api);
      const started = Date.now();
      await eventually(async () => ((await fetch(`${base}/health`)).status > 0 ? true : undefined), 20_000, 50);
      return Date.now() - started;
    };
    await startApi();
    worker = await createWorker(config, { heartbeatMs: 250 });

    const keys = Array.from({ length: KEYS }, (_, i) => `order-${i}-${config.prefix}`);
    const answers = new Map<string, { id: string; status: number }[]>();
    let acknowledged = 0;
    let connectionErrors = 0;
    let unavailable = 0;
    const unexpected: string[] = [];
    let next = 0;
    const client = async () => {
      while (next < keys.length) {
        const key = keys[next++];
        for (;;) {
          try {
            const res = await fetch(`${base}/v1/tasks`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': key },
              body: JSON.stringify({ coroutine: 'seed.interleave-a', input: { key } }),
            });
            const body = (await res.json()) as { id: string };
            if (res.status === 201 || res.status === 200) {
              answers.set(key, [...(answers.get(key) ?? []), { id: body.id, status: res.status }]);
              acknowledged++;
              break;
            }
            if (res.status === 503) {
              unavailable++;
              await sleepMs(100);
              continue;
            }
            unexpected.push(`${key}: ${res.status} ${JSON.stringify(body)}`);
            break;
          } catch {
            connectionErrors++; // refused, reset or cut mid-answer: the client cannot know; it retries
            await sleepMs(25);
          }
        }
      }
    };
    const restarts: number[] = [];
    const killer = async () => {
      for (const at of [KEYS * 0.25, KEYS * 0.6]) {
        await eventually(async () => (acknowledged >= at ? true : undefined), 30_000, 5);
        api!.kill('SIGKILL');
        await exited(api!);
        restarts.push(await startApi());
      }
    };
    await Promise.all([killer(), ...Array.from({ length: CLIENTS }, client)]);
    expect(unexpected).toEqual([]);
    expect(restarts).toHaveLength(2);
    expect(connectionErrors).toBeGreaterThan(0); // the kills did cut submissions off

    // a key sent again after it was acknowledged: the same task, 200
    for (const key of keys.slice(0, 100)) {
      const res = await fetch(`${base}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ coroutine: 'seed.interleave-a', input: { key } }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(idForKey('default', key));
    }

    // every key: one answer, naming the key's one task
    const ids = new Set<string>();
    for (const key of keys) {
      const a = answers.get(key) ?? [];
      expect(a).toHaveLength(1);
      expect(a[0].id).toBe(idForKey('default', key));
      ids.add(a[0].id);
    }
    expect(ids.size).toBe(KEYS);
    const retriedFound = [...answers.values()].filter((a) => a[0].status === 200).length;

    // exactly KEYS tasks exist: the index, the counts and the list agree
    let indexed = 0;
    for (let p = 0; p < config.partitions; p++)
      indexed += await redis.zcard(`${keysOf(store).partition(p)}idx:default`);
    expect(indexed).toBe(KEYS);
    const listed = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = (await (
        await fetch(`${base}/v1/tasks?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      ).json()) as {
        items: { id: string }[];
        nextCursor?: string | null;
      };
      for (const t of page.items) listed.add(t.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(listed).toEqual(ids);

    // and each ran once: completed with its three sleeps journaled
    await eventually(
      async () => {
        const c = await store.counts();
        return (c.completed ?? 0) >= KEYS ? c : undefined;
      },
      30_000,
      100,
    );
    const counts = await store.counts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(KEYS);
    for (const id of ids) expect(await redis.llen(keysOf(store).journal(id))).toBe(3);
    console.log(
      `api kill -9 x2: ${KEYS} keys → ${ids.size} tasks; ${connectionErrors} attempts cut off and retried, ${unavailable} 503s, ` +
        `${retriedFound} retries answered 200 with the task an unanswered attempt had created; api back in ${restarts.join(', ')} ms`,
    );
  }, 60_000);
});
