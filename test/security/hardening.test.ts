import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey } from './support';

/** What a hostile submitter with one submitter key tried against the api. */
describe('api hardening', () => {
  let s: Stack;
  let key: string;
  const admin = newAdminKey();
  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin, LIMIT_JSON_DEPTH: '64' } });
    key = await keyFor(s, admin, 'hostile', 'submitter');
  });
  afterAll(() => s.close());
  const a = () => as(s, key);

  describe('JSON nesting (LIMIT_JSON_DEPTH)', () => {
    it('answers 400 naming the limit for a body nested 5,000 levels', async () => {
      const deep = '{"coroutine":"seed.func-b","input":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
      const res = await a().post('/v1/tasks').set('content-type', 'application/json').send(deep).expect(400);
      expect(res.body.message).toBe('the body is nested more than 64 levels deep (LIMIT_JSON_DEPTH)');
    });

    it('accepts a body nested up to the limit, and counts brackets inside strings as text', async () => {
      const input = JSON.parse('['.repeat(63) + ']'.repeat(63));
      await a().post('/v1/tasks').send({ coroutine: 'seed.func-b', input }).expect(201);
      await a()
        .post('/v1/tasks')
        .send({ coroutine: 'seed.func-b', input: '['.repeat(500) + '"\\"{' })
        .expect(201);
    });

    it('refuses a YAML definition nested 5,000 levels in flow style before it is parsed', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const res = await a().post('/v1/definitions').set('content-type', 'application/yaml').send(deep).expect(400);
      expect(res.body.message).toBe('definition nests more than 64 levels deep');
      const inline = await a()
        .post('/v1/tasks')
        .send({ definition: `{a: 'it''s [[', b: "[[\\"", c: ${'{'.repeat(100)}` })
        .expect(400);
      expect(inline.body.message).toBe('definition nests more than 64 levels deep');
    });

    it('holds for every endpoint taking JSON', async () => {
      const deep = '{"type":"t","source":"s","data":' + '{"a":'.repeat(100) + '1' + '}'.repeat(100) + '}';
      const res = await a().post('/v1/events').set('content-type', 'application/json').send(deep).expect(400);
      expect(res.body.message).toMatch(/LIMIT_JSON_DEPTH/);
    });
  });

  describe('input keys named like Object.prototype members', () => {
    it('keeps __proto__ and constructor in a task input, exactly as sent', async () => {
      const raw =
        '{"coroutine":"seed.func-b","input":{"__proto__":{"x":1},"constructor":2,"a":3,"deep":{"__proto__":[1],"constructor":{"prototype":4}}}}';
      const created = await a().post('/v1/tasks').set('content-type', 'application/json').send(raw).expect(201);
      const expected =
        '{"__proto__":{"x":1},"constructor":2,"a":3,"deep":{"__proto__":[1],"constructor":{"prototype":4}}}';
      expect(JSON.stringify(created.body.input)).toBe(expected);
      const got = await a().get(`/v1/tasks/${created.body.id}`).expect(200);
      expect(got.text).toContain(`"input":${expected}`);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    // the other names Object.prototype has (without the two above, which make the api read the body twice):
    // class-transformer skips a key that names a method of the object it fills
    const members = Object.getOwnPropertyNames(Object.prototype).filter(
      (k) => !['__proto__', 'constructor'].includes(k),
    );
    const input = Object.fromEntries(members.map((k, i) => [k, { [k]: i }]));

    it.each([
      ['a task', {}],
      ['a task with an optional field given as null', { priority: null }],
    ])('keeps %s’s input keys named like any Object.prototype member', async (_, extra) => {
      const created = await a()
        .post('/v1/tasks')
        .send({ coroutine: 'seed.func-b', input, ...extra })
        .expect(201);
      expect(created.body.input).toEqual(input);
      const batch = await a()
        .post('/v1/batches')
        .send({ tasks: [{ coroutine: 'seed.func-b', input, ...extra }] })
        .expect(201);
      expect((await a().get(`/v1/tasks/${batch.body.taskIds[0]}`).expect(200)).body.input).toEqual(input);
    });

    it('keeps them in a value sent to a task', async () => {
      const task = await a().post('/v1/tasks').send({ coroutine: 'seed.num' }).expect(201);
      // sent before its first receive, it is kept for it, and the task answers with what it received
      const answer = await a().post(`/v1/tasks/${task.body.id}/send`).send({ value: input }).expect(200);
      expect(answer.body).toEqual({ yielded: input, status: 'suspended' });
    });

    it('keeps them in a batch task input and in an escaped spelling', async () => {
      const raw = '{"tasks":[{"coroutine":"seed.func-b","input":{"\\u005f_proto__":{"y":1},"constructor":{}}}]}';
      const batch = await a().post('/v1/batches').set('content-type', 'application/json').send(raw).expect(201);
      const got = await a().get(`/v1/tasks/${batch.body.taskIds[0]}`).expect(200);
      expect(got.text).toContain('"input":{"__proto__":{"y":1},"constructor":{}}');
    });
  });

  describe('response headers', () => {
    it('sends no X-Powered-By, and the headers a hardened JSON api sets', async () => {
      for (const res of [
        await a().get('/v1/tasks').expect(200),
        await s.http.get('/v1/tasks').expect(401),
        await s.http.get('/health'),
      ]) {
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
      }
      expect((await a().get('/v1/tasks')).headers['cache-control']).toBe('no-store');
    });
  });

  describe('Idempotency-Key', () => {
    it('answers the same task for the same body, and 422 naming the header for another body', async () => {
      const post = (body: object) => a().post('/v1/tasks').set('Idempotency-Key', 'order-77').send(body);
      const first = await post({ coroutine: 'seed.func-b', input: { a: 1, b: [1, 2] } }).expect(201);
      const again = await post({ input: { b: [1, 2], a: 1 }, coroutine: 'seed.func-b' }).expect(200);
      expect(again.body.id).toBe(first.body.id);
      for (const other of [
        { coroutine: 'seed.func-b', input: { a: 2, b: [1, 2] } },
        { coroutine: 'seed.func-a', input: { a: 1, b: [1, 2] } },
        { coroutine: 'seed.func-b' },
      ]) {
        const res = await post(other).expect(422);
        expect(res.body.message).toMatch(/Idempotency-Key 'order-77' was used .* another body/);
      }
    });
  });
});

describe('failed authentication (LIMIT_AUTH_FAILURES_PER_MINUTE)', () => {
  let s: Stack;
  let key: string;
  const admin = newAdminKey();
  beforeAll(async () => {
    s = await startStack({ workers: 0, env: { ADMIN_KEY: admin, LIMIT_AUTH_FAILURES_PER_MINUTE: '5' } });
    key = await keyFor(s, admin, 'hostile', 'submitter');
  });
  afterAll(() => s.close());

  it('answers 429 with Retry-After past the limit, in every api process, while a valid key keeps working', async () => {
    // the window is a fixed minute: start well inside one
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    for (let i = 0; i < 3; i++) await as(s, `yf_unknown_${i}`).get('/v1/tasks').expect(401);
    await s.http.get('/v1/tasks').expect(401);
    await s.http.get('/v1/tasks').set('Authorization', 'Basic eA==').expect(401);
    const blocked = await as(s, 'yf_unknown_x').get('/v1/tasks').expect(429);
    expect(blocked.body.message).toMatch(
      /more than 5 failed authentications this minute \(LIMIT_AUTH_FAILURES_PER_MINUTE\)/,
    );
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await as(s, key).get('/v1/tasks').expect(200);
    const other = await createApp(s.config, { logLevel: 'silent' });
    await other.init();
    try {
      await request(other.getHttpServer()).get('/v1/tasks').set('Authorization', 'Bearer yf_unknown_y').expect(429);
    } finally {
      await other.close();
    }
  });
});
