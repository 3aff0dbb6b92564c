import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import { TaskStore } from '@yieldflow/store';
import { createApp } from '../../apps/api/src/create-app';
import { createWorker } from '../../apps/worker/src/create-worker';
import { exited, partitionOwners, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { type Fire, quick, sleep } from './support';
import { keysOf } from '../../libs/store/src/testing';

const startedDues = (all: Fire[]) => all.filter((f) => f.result === 'started').map((f) => Date.parse(f.dueAt));

/** Schedules across crashes: worker processes killed with SIGKILL, and a service down past the catch-up window. */
describe('schedules that outlive their workers', () => {
  const config = testConfig({ partitions: 8 }, { LIMIT_SCHEDULE_EVERY_MS: '100' });
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let redis: Redis;
  let store: TaskStore;
  const procs: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    app = await createApp(config, { logLevel: 'silent' });
    await app.init();
    http = request(app.getHttpServer());
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });
    await store.init();
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    await app.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
  });

  const fires = async (id: string): Promise<Fire[]> =>
    ((await http.get(`/v1/schedules/${id}/fires?limit=1000`).expect(200)).body.items as Fire[]).reverse();

  it('a kill -9 of a worker mid-schedule: every fire starts once, none is lost, none twice', async () => {
    const victim = spawnApp('worker', config, { WORKER_ID: 'victim', SCHEDULE_STEPS_PER_GENERATION: '8' });
    const survivor = spawnApp('worker', config, { WORKER_ID: 'survivor', SCHEDULE_STEPS_PER_GENERATION: '8' });
    procs.push(victim, survivor);
    await untilPartitionsHeldBy(store, ['victim', 'survivor']);
    const ids = Array.from({ length: 8 }, (_, i) => `k${i}`);
    for (const id of ids)
      await http.post('/v1/schedules').send({ id, every: '500ms', definition: quick, overlap: 'allowAll' }).expect(201);
    await eventually(
      async () => ((await Promise.all(ids.map(fires))).every((f) => f.length >= 3) ? true : undefined),
      15_000,
      100,
    );
    // the victim owns some of the schedules' coroutines (generations move between partitions too)
    expect((await partitionOwners(store)).some((o) => o?.startsWith('victim:'))).toBe(true);
    victim.kill('SIGKILL');
    await exited(victim);
    const killedAt = Date.now();
    await sleep(7000);
    for (const id of ids) {
      const all = await fires(id);
      const dues = startedDues(all);
      // every due time from the first to the last, each once: the take-over ran the late ones late
      expect(all.filter((f) => f.result !== 'started')).toEqual([]);
      expect(new Set(dues).size).toBe(dues.length);
      for (let i = 1; i < dues.length; i++) expect(dues[i] - dues[i - 1]).toBe(500);
      expect(dues[dues.length - 1]).toBeGreaterThan(killedAt + 4000);
      // and exactly one task per fire in Redis: no fire started a second task under another id
      const uid = all[0].taskId!.split('-')[1];
      let n = 0;
      for (let p = 0; p < config.partitions; p++) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(
            cursor,
            'MATCH',
            `${keysOf(store).partition(p)}t:sch-${uid}-[0-9]*`,
            'COUNT',
            1000,
          );
          cursor = next;
          n += keys.length;
        } while (cursor !== '0');
      }
      expect(n).toBeGreaterThanOrEqual(dues.length);
      expect(n).toBeLessThanOrEqual(dues.length + 1); // one started after the read above
      const listed = (await http.get(`/v1/tasks?scheduleId=${id}&limit=500`).expect(200)).body.items;
      expect(listed.length).toBeGreaterThanOrEqual(dues.length);
    }
    for (const id of ids) await http.delete(`/v1/schedules/${id}`).expect(204);
  });

  it('fires missed while no worker ran, past the catch-up window, are skipped and recorded as skipped', async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    const createdAt = Date.now();
    await http
      .post('/v1/schedules')
      .send({ id: 'late', every: '500ms', catchupWindow: '1s', definition: quick })
      .expect(201);
    await sleep(3000);
    const worker = await createWorker(config, { heartbeatMs: 250 });
    try {
      const all = await eventually(
        async () => {
          const f = await fires('late');
          return f.filter((x) => x.result === 'started').length >= 2 ? f : undefined;
        },
        15_000,
        100,
      );
      const missed = all.filter((f) => f.reason === 'missed');
      // one record for the lot (a fire at the window's very edge may be missed on its own too)
      expect(missed.length).toBeGreaterThanOrEqual(1);
      expect(missed.length).toBeLessThanOrEqual(3);
      expect(missed.reduce((n, f) => n + (f.count ?? 0), 0)).toBeGreaterThanOrEqual(3);
      expect(all[0]).toBe(missed[0]);
      const dues = startedDues(all);
      // nothing older than the window ran: the first fire started is within a second of the worker's start
      expect(dues[0]).toBeGreaterThan(createdAt + 2000);
      expect(all.filter((f) => f.result === 'started').every((f) => f.lateMs <= 1000)).toBe(true);
    } finally {
      await worker.close();
    }
  });
});
