import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CoroutineRegistry, http, type Json, sleep } from '@yieldflow/runtime';
import { connectRedis, newId, TaskStore } from '@yieldflow/store';
import { createApp } from '../../apps/api/src/create-app';
import { createWorker, type Worker } from '../../apps/worker/src/create-worker';
import { dropPrefix, eventually, testConfig } from '../support/redis';

/** The value of one series in a Prometheus text page (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics of a worker and of the api', () => {
  const config = testConfig({ partitions: 2, httpAllow: ['127.0.0.1'] });
  const registry = new CoroutineRegistry().register('obs.sleep-http', function* (input) {
    yield sleep(20);
    return (yield http({ method: 'GET', url: String((input as { url: string }).url) })) as Json;
  });
  let worker: Worker;
  let app: INestApplication;
  let stub: Server;
  let base = '';
  const redis = connectRedis(config);
  const store = new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions });

  beforeAll(async () => {
    stub = createServer((req, res) => {
      if (req.url === '/fail') res.writeHead(500).end('no');
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 3000);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    worker = await createWorker(config, { heartbeatMs: 200, registry, metricsServer: { port: 0 } });
    app = await createApp(config, { logLevel: 'silent', registry });
    await app.init();
  });
  afterAll(async () => {
    await worker.close();
    await app.close();
    await dropPrefix(config.prefix);
    redis.disconnect();
    await new Promise((r) => stub.close(r));
  });

  const scrape = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${worker.metricsPort}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('serves /health and /metrics; steps, resumes, HTTP calls and Redis commands move', async () => {
    const health = await scrape('/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({ status: 'ok', workerId: worker.dispatcher.workerId });
    expect((await scrape('/nothing')).status).toBe(404);

    const before = (await scrape('/metrics')).text;
    const ids = [newId(), newId()];
    await store.create([
      { id: ids[0], namespace: 'default', kind: 'coroutine', name: 'obs.sleep-http', input: { url: `${base}/ok` } },
      { id: ids[1], namespace: 'team-a', kind: 'coroutine', name: 'obs.sleep-http', input: { url: `${base}/fail` } },
    ]);
    const page = await eventually(async () => {
      const { text } = await scrape('/metrics');
      return sample(text, 'yieldflow_worker_resumes_total{outcome="completed"}') >= 1 &&
        sample(text, 'yieldflow_worker_resumes_total{outcome="faulted"}') >= 1
        ? text
        : undefined;
    });
    const step = 'yieldflow_step_duration_seconds_count{kind="coroutine",name="obs.sleep-http",namespace="default"}';
    expect(sample(before, step)).toBe(0);
    expect(sample(page, step)).toBe(3); // start, after the sleep, after the call
    expect(
      sample(page, 'yieldflow_step_duration_seconds_count{kind="coroutine",name="obs.sleep-http",namespace="team-a"}'),
    ).toBe(3);
    expect(sample(page, 'yieldflow_worker_resumes_total{outcome="suspended"}')).toBeGreaterThanOrEqual(4);
    const host = base.replace('http://', '');
    expect(sample(page, `yieldflow_http_request_duration_seconds_count{host="${host}",outcome="2xx"}`)).toBe(1);
    // a 500 is retried by the default policy: every attempt is counted, and each is an error
    const failed = sample(page, `yieldflow_http_request_duration_seconds_count{host="${host}",outcome="5xx"}`);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(sample(page, `yieldflow_http_errors_total{host="${host}",reason="status_5xx"}`)).toBe(failed);
    expect(sample(page, 'yieldflow_redis_command_duration_seconds_count{command="evalsha"}')).toBeGreaterThan(0);
    expect(page).toMatch(/^yieldflow_worker_nodejs_eventloop_lag_seconds \d/m);
  });

  it('caps the distinct names it labels steps with: later ones count as other', async () => {
    for (let i = 0; i < 210; i++) worker.metrics.step('coroutine', `name-${i}`, 'default', 1);
    const text = (await scrape('/metrics')).text;
    expect(
      sample(text, 'yieldflow_step_duration_seconds_count{kind="coroutine",name="other",namespace="default"}'),
    ).toBe(
      11, // 200 names at the most, obs.sleep-http one of them
    );
  });

  it("the api's /metrics has the queue depths: due now, and waiting for a slot", async () => {
    const metrics = async () => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(sample(await metrics(), 'yieldflow_tasks_due_now')).toBe(0);
    // due in the past, on a coroutine no worker here runs: it stays due
    const id = newId();
    await store.create([{ id, namespace: 'default', kind: 'coroutine', name: 'obs.nobody-runs-it', input: null }]);
    await eventually(async () => (sample(await metrics(), 'yieldflow_tasks_due_now') >= 1 ? true : undefined));
    const api = request(app.getHttpServer());
    await api.post('/v1/concurrency').send({ name: 'obs.sleep-http', limit: 1 }).expect(200);
    await new Promise((r) => setTimeout(r, 1100)); // the api reads limits at most once a second
    // the first holds the slot through a slow call; the other two wait in line for it
    for (let i = 0; i < 3; i++)
      await api
        .post('/v1/tasks')
        .send({ coroutine: 'obs.sleep-http', input: { url: `${base}/slow` } })
        .expect(201);
    expect(sample(await metrics(), 'yieldflow_tasks_waiting_for_slot')).toBe(2);
  });
});
