import { loadConfig } from '@yieldflow/contracts';
import { runKeysCli } from '../../apps/api/src/auth/cli';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey, until } from './support';
import type { Body } from '../support/redis';

const listenDoc = (type: string) => ({
  document: { dsl: '1.0.3', namespace: 'sec', name: `listen-${type.replace(/\W/g, '-')}`, version: '1.0.0' },
  do: [{ waitPaid: { listen: { to: { one: { with: { type } } } } } }],
});

const registered = {
  document: { dsl: '1.0.3', namespace: 'shared', name: 'flow', version: '1.0.0' },
  do: [{ one: { set: { a: 1 } } }],
};

describe('API keys, roles and namespaces', () => {
  let s: Stack;
  const admin = newAdminKey();
  const acme: Record<string, string> = {};
  const globex: Record<string, string> = {};
  // acme's resources
  let consumerId: string;
  let batchId: string;
  let listenerId: string;

  beforeAll(async () => {
    // this suite sends many bad keys on purpose; their limit has its own test (hardening.test.ts)
    s = await startStack({ env: { ADMIN_KEY: admin, LIMIT_AUTH_FAILURES_PER_MINUTE: '0' } });
    for (const role of ['viewer', 'submitter', 'operator', 'admin']) {
      acme[role] = await keyFor(s, admin, 'acme', role);
      globex[role] = await keyFor(s, admin, 'globex', role);
    }
    const a = as(s, acme.submitter);
    consumerId = (await a.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201)).body.id;
    batchId = (
      await a
        .post('/v1/batches')
        .send({ tasks: [{ coroutine: 'seed.consumer' }] })
        .expect(201)
    ).body.id;
    listenerId = (
      await a
        .post('/v1/tasks')
        .send({ definition: listenDoc('com.acme.paid') })
        .expect(201)
    ).body.id;
    await a.post('/v1/definitions').send(registered).expect(201);
    await until(s, acme.viewer, consumerId, ['suspended']);
    await until(s, acme.viewer, listenerId, ['suspended']);
  });
  afterAll(() => s.close());

  /** Every endpoint: method, path, the least role it needs, a body. */
  const endpoints = (): ['get' | 'post' | 'delete', string, string, object?][] => [
    ['post', '/v1/tasks', 'submitter', { coroutine: 'seed.func-b' }],
    ['get', '/v1/tasks', 'viewer'],
    ['get', `/v1/tasks/${consumerId}`, 'viewer'],
    ['post', `/v1/tasks/${consumerId}/send`, 'submitter', { value: 1 }],
    ['post', `/v1/tasks/${consumerId}/cancel`, 'operator'],
    ['post', '/v1/events', 'submitter', { type: 'com.none', source: 'test' }],
    ['post', '/v1/batches', 'submitter', { tasks: [{ coroutine: 'seed.func-b' }] }],
    ['get', `/v1/batches/${batchId}`, 'viewer'],
    ['post', '/v1/definitions', 'submitter', registered],
    ['get', '/v1/definitions', 'viewer'],
    ['get', '/v1/definitions/shared/flow', 'viewer'],
    ['get', '/v1/definitions/shared/flow/1.0.0', 'viewer'],
    ['post', '/v1/keys', 'admin', { role: 'viewer', name: 'x' }],
    ['get', '/v1/keys', 'admin'],
    ['delete', '/v1/keys/key_0000', 'admin'],
    ['get', '/metrics', 'viewer'],
  ];
  const below: Record<string, string | undefined> = {
    viewer: undefined,
    submitter: 'viewer',
    operator: 'submitter',
    admin: 'operator',
  };

  it('answers 401 on every endpoint without a key, with a malformed header, or with an unknown key', async () => {
    for (const [method, path, , body] of endpoints()) {
      const none = await s.http[method](path).send(body);
      expect([method, path, none.status]).toEqual([method, path, 401]);
      expect(none.body.message).toMatch(/Authorization: Bearer/);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const basic = await s.http[method](path).set('Authorization', 'Basic abc').send(body);
      expect([path, basic.status]).toEqual([path, 401]);
      const bad = await s.http[method](path).set('Authorization', 'Bearer yf_not-a-key').send(body);
      expect([path, bad.status, bad.body.message]).toEqual([
        path,
        401,
        'the API key is not valid (unknown or revoked)',
      ]);
    }
  });

  it('answers 403 on every endpoint to a role below the one it needs, naming both', async () => {
    for (const [method, path, need, body] of endpoints()) {
      const low = below[need];
      if (!low) continue;
      const res = await as(s, acme[low]!)[method](path).send(body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(res.body.message).toBe(`this endpoint needs the ${need} role or higher; the key has ${low}`);
    }
    // metrics report on the whole deployment: only keys of namespace 'system'
    const m = await as(s, acme.admin).get('/metrics');
    expect(m.status).toBe(403);
    expect(m.body.message).toMatch(/namespace 'system'/);
    await as(s, admin).get('/metrics').expect(200);
  });

  it('keeps /health open', async () => {
    const res = await s.http.get('/health');
    expect([200, 503]).toContain(res.status);
    expect(res.body.info?.redis ?? res.body.error?.redis).toBeDefined();
  });

  it("hides one namespace's tasks, batches and definitions from another: 404, never 403", async () => {
    const g = as(s, globex.admin);
    const notFound = async (res: { status: number; body: unknown }) => {
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toMatch(/acme/);
    };
    await notFound(await g.get(`/v1/tasks/${consumerId}`));
    await notFound(await g.post(`/v1/tasks/${consumerId}/send`).send({ value: 1 }));
    await notFound(await g.post(`/v1/tasks/${consumerId}/cancel`));
    await notFound(await g.get(`/v1/batches/${batchId}`));
    await notFound(await g.get('/v1/definitions/shared/flow'));
    await notFound(await g.get('/v1/definitions/shared/flow/1.0.0'));
    await notFound(await g.post('/v1/tasks').send({ definitionRef: { namespace: 'shared', name: 'flow' } }));
    // the lists show none of acme's
    const tasks = (await g.get('/v1/tasks').expect(200)).body;
    expect(tasks.items).toEqual([]);
    expect((await g.get('/v1/definitions').expect(200)).body).toEqual([]);
    expect((await g.get(`/v1/tasks?batchId=${batchId}`).expect(200)).body.items).toEqual([]);
    // and acme's task was not touched: still suspended, nothing received
    const own = (await as(s, acme.viewer).get(`/v1/tasks/${consumerId}`).expect(200)).body;
    expect(own.status).toBe('suspended');
    expect(own.suspensions ?? []).toEqual([]);
    expect((await as(s, acme.viewer).get('/v1/tasks').expect(200)).body.items.length).toBeGreaterThanOrEqual(3);
  });

  it("an event wakes only its own namespace's tasks", async () => {
    const fromGlobex = await as(s, globex.submitter)
      .post('/v1/events')
      .send({ type: 'com.acme.paid', source: 'globex', data: { x: 1 } })
      .expect(202);
    expect(fromGlobex.body.woken).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await as(s, acme.viewer).get(`/v1/tasks/${listenerId}`)).body.status).toBe('suspended');
    const fromAcme = await as(s, acme.submitter)
      .post('/v1/events')
      .send({ type: 'com.acme.paid', source: 'acme', data: { x: 2 } })
      .expect(202);
    expect(fromAcme.body.woken).toBe(1);
    const done = await until(s, acme.viewer, listenerId, ['completed', 'faulted']);
    expect(done.status).toBe('completed');
    expect(JSON.stringify(done.output)).toMatch(/"x":2/);
  });

  it('the roles that suffice do work: submitter sends, operator cancels', async () => {
    const sent = await as(s, acme.submitter).post(`/v1/tasks/${consumerId}/send`).send({ value: 1 }).expect(200);
    expect(sent.body).toEqual({ yielded: '200 OK', status: 'suspended' });
    const cancelled = await as(s, acme.operator).post(`/v1/tasks/${consumerId}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('creates, lists and revokes keys; a revoked key gets 401 at once', async () => {
    const created = await as(s, acme.admin).post('/v1/keys').send({ role: 'viewer', name: 'dashboard' }).expect(201);
    expect(created.body).toMatchObject({ namespace: 'acme', role: 'viewer', name: 'dashboard' });
    expect(created.body.token).toMatch(/^yf_[A-Za-z0-9_-]{43}$/);
    const token = created.body.token as string;
    await as(s, token).get('/v1/tasks').expect(200);
    // listed without its token, only to its namespace's admins
    const listed = (await as(s, acme.admin).get('/v1/keys').expect(200)).body as Body[];
    expect(listed.find((k) => k.id === created.body.id)).toEqual({
      id: created.body.id,
      namespace: 'acme',
      role: 'viewer',
      name: 'dashboard',
      hint: `${token.slice(0, 7)}…`,
      createdAt: created.body.createdAt,
    });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.every((k) => k.namespace === 'acme')).toBe(true);
    const all = (await as(s, admin).get('/v1/keys').expect(200)).body as Body[];
    expect(new Set(all.map((k) => k.namespace))).toEqual(new Set(['acme', 'globex']));
    // a namespace admin cannot reach another namespace's keys
    await as(s, globex.admin).delete(`/v1/keys/${created.body.id}`).expect(404);
    const other = await as(s, acme.admin).post('/v1/keys').send({ namespace: 'globex', role: 'admin', name: 'x' });
    expect(other.status).toBe(403);
    await as(s, acme.admin).post('/v1/keys').send({ namespace: 'system', role: 'admin', name: 'x' }).expect(403);
    // bad input names the field
    const bad = await as(s, acme.admin).post('/v1/keys').send({ role: 'root', name: 'x' }).expect(400);
    expect(bad.body.message).toMatch(/role must be one of viewer, submitter, operator, admin/);
    // revoked: 401 from now on
    await as(s, acme.admin).delete(`/v1/keys/${created.body.id}`).expect(200, { id: created.body.id, revoked: true });
    await as(s, token).get('/v1/tasks').expect(401);
    await as(s, acme.admin).delete(`/v1/keys/${created.body.id}`).expect(404);
  });

  it('the keys CLI creates a key that works, lists it and revokes it', async () => {
    const env = { REDIS_URL: s.config.redisUrl, YF_PREFIX: s.config.prefix };
    const out: string[] = [];
    expect(
      await runKeysCli(['create', '--namespace', 'acme', '--role', 'submitter', '--name', 'ci'], env, (l) =>
        out.push(l),
      ),
    ).toBe(0);
    const key = JSON.parse(out[0]);
    expect(key).toMatchObject({ namespace: 'acme', role: 'submitter', name: 'ci' });
    const t = await as(s, key.token).post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201);
    await as(s, acme.viewer).get(`/v1/tasks/${t.body.id}`).expect(200);
    out.length = 0;
    expect(await runKeysCli(['list', '--namespace', 'acme'], env, (l) => out.push(l))).toBe(0);
    expect(JSON.parse(out[0]).map((k: { id: string }) => k.id)).toContain(key.id);
    expect(out[0]).not.toContain(key.token);
    expect(await runKeysCli(['revoke', key.id], env, () => undefined)).toBe(0);
    await as(s, key.token).get('/v1/tasks').expect(401);
    out.length = 0;
    expect(
      await runKeysCli(['create', '--namespace', 'acme', '--role', 'root', '--name', 'x'], env, (l) => out.push(l)),
    ).toBe(2);
    expect(out[0]).toMatch(/--role must be one of/);
  });
});

describe('development mode', () => {
  it('is the default on loopback without ADMIN_KEY, and refused on any other address', () => {
    expect(loadConfig({}).auth.enabled).toBe(false);
    expect(loadConfig({ HOST: '::1' }).auth.enabled).toBe(false);
    expect(loadConfig({ ADMIN_KEY: newAdminKey() }).auth.enabled).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0' }).auth.enabled).toBe(true);
    expect(loadConfig({ AUTH: 'on' }).auth.enabled).toBe(true);
    expect(() => loadConfig({ HOST: '0.0.0.0', AUTH: 'off' })).toThrow(
      'AUTH=off (development mode, no API keys) is allowed only when the api listens on loopback (HOST=127.0.0.1, ::1 or localhost), not HOST=0.0.0.0',
    );
    expect(() => loadConfig({ ADMIN_KEY: 'short' })).toThrow(/ADMIN_KEY must be at least 16 characters/);
    expect(() => loadConfig({ AUTH: 'maybe' })).toThrow(/AUTH must be 'on' or 'off'/);
  });

  it("serves without keys as an admin of namespace 'default'", async () => {
    const s = await startStack({ workers: 0 });
    try {
      const t = await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201);
      expect(t.body.namespace ?? 'default').toBe('default');
      await s.http.get(`/v1/tasks/${t.body.id}`).expect(200);
      await s.http.get('/v1/keys').expect(200);
      await s.http.get('/metrics').expect(200);
    } finally {
      await s.close();
    }
  });
});
