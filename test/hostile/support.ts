import request from 'supertest';
import Redis from 'ioredis';
import type { INestApplication } from '@nestjs/common';
import type { Config } from '@yieldflow/contracts';
import { TaskStore } from '@yieldflow/store';
import { createApp } from '../../apps/api/src/create-app';
import { exited, spawnApp, untilPartitionsHeldBy } from '../support/processes';
import { type Body, dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { newAdminKey } from '../security/support';

type Req = ReturnType<ReturnType<typeof request>['get']>;

export interface Tenant {
  get(url: string): Req;
  post(url: string): Req;
  /** Poll a task until its status is one of `statuses`. */
  until(id: string, statuses: string[], timeoutMs?: number): Promise<Body>;
}

export interface HostileStack {
  config: Config;
  app: INestApplication;
  store: TaskStore;
  worker: ReturnType<typeof spawnApp>;
  /** The hostile submitter's namespace, and an innocent one's. */
  a: Tenant;
  b: Tenant;
  /** An operator of namespace A (who may cancel its tasks). */
  aOperator: Tenant;
  /** seed.func-b in namespace B: resolves when it has completed, failing unless it took 3 s +/- 50 ms. */
  bystander(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * What a hostile submitter faces: authentication on, one `submitter` key per namespace, the api
 * in-process and one real worker process, every task in one partition (so a task that stalls its
 * partition stalls the innocent namespace's tasks too, unless the engine isolates it).
 */
export async function hostileStack(env: Record<string, string> = {}): Promise<HostileStack> {
  const adminKey = newAdminKey();
  const fullEnv = { ADMIN_KEY: adminKey, AUTH: 'on', PARTITIONS: '1', RATE_LIMIT_PER_MINUTE: '0', ...env };
  const config = testConfig({ partitions: 1 }, fullEnv);
  const app = await createApp(config, { logLevel: 'silent' });
  await app.init();
  const http = request(app.getHttpServer());
  const redis = new Redis(REDIS_URL);
  const store = new TaskStore(redis, { prefix: config.prefix, partitions: 1 });
  await store.init();
  const worker = spawnApp('worker', config, { ...fullEnv, WORKER_ID: 'hostile-w' });
  await untilPartitionsHeldBy(store, ['hostile-w']);

  const key = async (namespace: string, role = 'submitter'): Promise<string> =>
    (
      await http
        .post('/v1/keys')
        .set('Authorization', `Bearer ${adminKey}`)
        .send({ namespace, role, name: `${namespace}-${role}` })
        .expect(201)
    ).body.token as string;
  const tenant = (token: string): Tenant => {
    const auth = (t: Req): Req => t.set('Authorization', `Bearer ${token}`);
    const t: Tenant = {
      get: (url) => auth(http.get(url)),
      post: (url) => auth(http.post(url)),
      until: (id, statuses, timeoutMs = 15_000) =>
        eventually(async () => {
          const res = await t.get(`/v1/tasks/${id}`);
          return statuses.includes(res.body.status) ? (res.body as Body) : undefined;
        }, timeoutMs),
    };
    return t;
  };
  const a = tenant(await key('tenant-a'));
  const b = tenant(await key('tenant-b'));
  const aOperator = tenant(await key('tenant-a', 'operator'));

  return {
    config,
    app,
    store,
    worker,
    a,
    b,
    aOperator,
    async bystander() {
      const res = await b.post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201);
      const id = res.body.id as string;
      return async () => {
        const done = await b.until(id, ['completed', 'faulted', 'cancelled'], 20_000);
        expect(done.status).toBe('completed');
        expect(done.elapsedMs).toBeGreaterThanOrEqual(3000);
        expect(done.elapsedMs).toBeLessThanOrEqual(3050);
      };
    },
    async close() {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
      await exited(worker);
      await app.close();
      await dropPrefix(config.prefix);
      redis.disconnect();
    },
  };
}

/** A workflow definition as JSON text, in namespace `test`. */
export function definition(doBody: unknown[], extra: Record<string, unknown> = {}, name = 'hostile'): string {
  return JSON.stringify({
    document: { dsl: '1.0.3', namespace: 'test', name, version: '1.0.0' },
    ...extra,
    do: doBody,
  });
}
