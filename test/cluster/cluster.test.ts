import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type Redis from 'ioredis';
import request from 'supertest';
import { type Config } from '@yieldflow/contracts';
import { connectRedis, slotOf, TaskStore } from '@yieldflow/store';
import { createApp } from '../../apps/api/src/create-app';
import { exited, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { eventually, testConfig } from '../support/redis';
import { cli, LocalCluster } from '../../bench/local-cluster';
import { keysOf } from '../../libs/store/src/testing';

/**
 * The store on a Redis Cluster of 3 masters and 3 replicas started here on loopback: the seed's scenarios
 * and DSL examples run on it with real worker processes; then one master is killed with SIGKILL, its replica
 * takes over, and every task acknowledged before the kill completes.
 */
describe('on a Redis Cluster (3 masters, 3 replicas)', () => {
  const cluster = new LocalCluster(2000);
  let config: Config;
  let app: INestApplication | undefined;
  let http: ReturnType<typeof request>;
  let redis: Redis | undefined;
  let store: TaskStore;
  const workers: ReturnType<typeof spawnApp>[] = [];

  beforeAll(async () => {
    await cluster.start(3);
    const env = { REDIS_CLUSTER_NODES: cluster.addresses, PARTITION_TAGS: 'spread' };
    config = testConfig({ partitions: 16 }, env);
    redis = connectRedis(config);
    store = new TaskStore(redis, {
      prefix: config.prefix,
      partitions: config.partitions,
      partitionTags: config.partitionTags,
    });
    await store.init();
    for (const id of ['w1', 'w2']) workers.push(spawnApp('worker', config, { ...env, WORKER_ID: id }));
    app = await createApp(config, { logLevel: 'silent' });
    await app.init();
    http = request(app.getHttpServer());
    await untilPartitionsHeldBy(store, ['w1', 'w2'], 20_000);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await Promise.all(workers.map(exited));
    await app?.close().catch(() => undefined);
    redis?.disconnect();
    await cluster.stop();
  }, 30_000);

  const until = (id: string, statuses: string[], timeoutMs = 10_000) =>
    eventually(async () => {
      const res = await http.get(`/v1/tasks/${id}`);
      return statuses.includes(res.body.status) ? res.body : undefined;
    }, timeoutMs);

  const untilBatchDone = (id: string, timeoutMs: number) =>
    eventually(
      async () => {
        const res = await http.get(`/v1/batches/${id}`);
        return res.status === 200 && res.body.finishedAt ? res.body : undefined;
      },
      timeoutMs,
      100,
    );

  it('spread tags put 16 partitions on 3 masters 5, 5 and 6, and slotOf agrees with CLUSTER KEYSLOT', async () => {
    const ranges = JSON.parse(JSON.stringify(await redis!.cluster('SLOTS'))) as [number, number, [string, number]][];
    const byMaster = new Map<number, number>();
    for (let p = 0; p < 16; p++) {
      const key = `${keysOf(store).partition(p)}due`;
      expect(Number(await cli(cluster.nodes[0].port, 'cluster', 'keyslot', key))).toBe(slotOf(key));
      const [, , [, port]] = ranges.find(([from, to]) => slotOf(key) >= from && slotOf(key) <= to)!;
      byMaster.set(port, (byMaster.get(port) ?? 0) + 1);
    }
    expect([...byMaster.values()].sort()).toEqual([5, 5, 6]);
  });

  it('a pipeline over several slots sends its PUBLISH after the keyed commands are done (wakes follow writes)', async () => {
    const sub = connectRedis(config, { subscriber: true });
    try {
      await sub.subscribe(`${config.prefix}:order`);
      const heard = new Promise<number>((resolve) => sub.once('message', () => resolve(Date.now())));
      // the keyed command keeps its node busy for 300 ms; the wake must not overtake it
      const busy =
        "local t = redis.call('TIME') repeat local n = redis.call('TIME') until (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 300000 return redis.call('SET', KEYS[1], 1)";
      const sent = Date.now();
      const replies = await redis!
        .pipeline()
        .eval(busy, 1, `${keysOf(store).partition(1)}x`)
        .set(`${keysOf(store).partition(2)}x`, 1)
        .publish(`${config.prefix}:order`, 'wake')
        .exec();
      // (PUBLISH counts the subscribers of the node it ran on only: the message goes to every node)
      expect(replies!.map(([err, r], i) => [err, i < 2 ? r : typeof r])).toEqual([
        [null, 'OK'],
        [null, 'OK'],
        [null, 'number'],
      ]);
      expect((await heard) - sent).toBeGreaterThanOrEqual(290);
    } finally {
      sub.disconnect();
    }
  });

  it('func_a and func_b in one batch: both complete in about 3 s', async () => {
    const created = await http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.func-a' }, { coroutine: 'seed.func-b' }] })
      .expect(201);
    const batch = await untilBatchDone(created.body.id, 10_000);
    expect(batch.counts.completed).toBe(2);
    const views = await Promise.all(
      (created.body.taskIds as string[]).map(async (id) => (await http.get(`/v1/tasks/${id}`).expect(200)).body),
    );
    // each task sleeps its full time from its submission; the batch's wall time runs from its first
    // task's start, which on a loaded machine can be some way after the submission
    for (const t of views) expect(Date.parse(t.finishedAt) - Date.parse(t.createdAt)).toBeGreaterThanOrEqual(3000);
    const queued =
      Math.min(...views.map((t) => Date.parse(t.startedAt))) - Math.min(...views.map((t) => Date.parse(t.createdAt)));
    expect(batch.wallMs).toBeGreaterThanOrEqual(3000 - queued);
    expect(batch.wallMs).toBeLessThan(4000);
    const a = views[0];
    expect(a.suspensions.map((x: { label: string }) => x.label)).toEqual(['a1', 'a2', 'a3']);
  });

  it("seed.consumer: sent 1 to 5, answers '200 OK' each time, then is cancelled", async () => {
    const { body: task } = await http.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201);
    await until(task.id, ['suspended']);
    for (let n = 1; n <= 5; n++) {
      const res = await http.post(`/v1/tasks/${task.id}/send`).send({ value: n }).expect(200);
      expect(res.body).toEqual({ yielded: '200 OK', status: 'suspended' });
    }
    expect((await http.post(`/v1/tasks/${task.id}/cancel`).expect(200)).body.status).toBe('cancelled');
    const record = (await http.get(`/v1/tasks/${task.id}`)).body;
    expect(record.suspensions.map((x: { result: number }) => x.result)).toEqual([1, 2, 3, 4, 5]);
  });

  it('the DSL examples: func-a, and the consumer fed by events published to every partition', async () => {
    for (const file of ['seed-func-a.yaml', 'seed-consumer.yaml']) {
      const res = await http
        .post('/v1/definitions')
        .set('Content-Type', 'application/yaml')
        .send(readFileSync(resolve(__dirname, '../../examples', file), 'utf8'));
      expect([200, 201]).toContain(res.status);
    }
    const ref = (name: string) => ({ namespace: 'seed', name, version: '1.0.0' });
    const { body: a } = await http
      .post('/v1/tasks')
      .send({ definitionRef: ref('func-a'), input: {} })
      .expect(201);
    const consumers = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (
            await http
              .post('/v1/tasks')
              .send({ definitionRef: ref('consumer'), input: {} })
              .expect(201)
          ).body,
      ),
    );
    // published before the consumers reach their wait: each receives every event once, in order
    for (const value of [1, 2, 0])
      await http
        .post('/v1/events')
        .send({ type: 'io.yieldflow.seed.produce', source: 'https://yieldflow.io/seed/producer', data: { value } })
        .expect(202);
    for (const c of consumers)
      expect(await until(c.id, ['completed', 'faulted', 'cancelled'])).toMatchObject({
        status: 'completed',
        output: [1, 2],
      });
    expect(await until(a.id, ['completed', 'faulted', 'cancelled'], 8000)).toMatchObject({
      status: 'completed',
      output: 'a done',
    });
  });

  it('a fork: its branches run as child tasks in other partitions, their ends reach the parent', async () => {
    const definition = {
      document: { dsl: '1.0.3', namespace: 'seed', name: 'fork', version: '1.0.0' },
      do: [{ both: { fork: { branches: [1, 2, 3, 4, 5, 6].map((i) => ({ [`b${i}`]: { set: { n: i } } })) } } }],
    };
    const { body: t } = await http.post('/v1/tasks').send({ definition, input: {} }).expect(201);
    const done = await until(t.id, ['completed', 'faulted', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(done.output).toHaveLength(6);
  });

  it("DELETE of a batch's last task removes the batch's records (two keys of two slots)", async () => {
    const created = await http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.num' }] })
      .expect(201);
    const [id] = created.body.taskIds as string[];
    await until(id, ['suspended']);
    await http.post(`/v1/tasks/${id}/cancel`).expect(200);
    await http.delete(`/v1/tasks/${id}`).expect((res) => expect([200, 204]).toContain(res.status));
    await http.get(`/v1/tasks/${id}`).expect(404);
    await eventually(
      async () => ((await redis!.exists(keysOf(store).batch(created.body.id))) === 0 ? true : undefined),
      5000,
    );
    expect(await redis!.exists(keysOf(store).batchTasks(created.body.id))).toBe(0);
  });

  it('kill -9 of a master: its replica takes over and every acknowledged task completes', async () => {
    const N = 300;
    const created = await http
      .post('/v1/batches')
      .send({ tasks: Array.from({ length: N }, (_, i) => ({ coroutine: i % 2 ? 'seed.func-a' : 'seed.func-b' })) })
      .expect(201);
    // every task is acknowledged (201); kill once they are all asleep, between two of their steps
    await new Promise((r) => setTimeout(r, 1300));
    const { master, replica } = await cluster.masterWithReplica();
    const killedAt = Date.now();
    cluster.kill(master);
    await eventually(
      async () => ((await cluster.roles()).get(replica)?.role === 'master' ? true : undefined),
      20_000,
      100,
    );
    const promotedMs = Date.now() - killedAt;
    const batch = await untilBatchDone(created.body.id, 40_000);
    expect(batch.counts.completed).toBe(N);
    expect(promotedMs).toBeLessThan(20_000);
    const counts = await store.counts();
    expect(counts.completed).toBeGreaterThanOrEqual(N);
    if (process.env.CLUSTER_REPORT)
      console.log(`replica promoted ${promotedMs} ms after the kill; batch done ${Date.now() - killedAt} ms after it`);
  }, 60_000);
});
