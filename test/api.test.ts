import { startStack, type Stack } from './support/stack';

describe('REST API behaviour', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 1 });
  });
  afterAll(() => s.close());

  describe('POST /v1/tasks', () => {
    it('answers 400 naming the field for bad input', async () => {
      const cases: [object, RegExp][] = [
        [{}, /exactly one of coroutine, definition, definitionRef is required/],
        [{ coroutine: 'seed.num', definition: { a: 1 } }, /exactly one of .* got coroutine and definition/],
        [{ coroutine: 42 }, /coroutine must be/],
        [{ coroutine: 'no.such' }, /coroutine 'no.such' is not registered; registered: .*seed.func-a/],
        [{ coroutine: 'seed.num', extra: 1 }, /property extra should not exist/],
        [{ definitionRef: { version: '1' } }, /definitionRef.name must be a string/],
        [{ definition: [1, 2] }, /definition must be a workflow document/],
      ];
      for (const [body, message] of cases) {
        const res = await s.http.post('/v1/tasks').send(body).expect(400);
        expect(res.body.message).toMatch(message);
      }
    });

    it('answers 400 with each violation and its JSON pointer for an invalid definition', async () => {
      const res = await s.http
        .post('/v1/tasks')
        .send({
          definition: {
            document: { dsl: '1.0.3', namespace: 'x', name: 'bad', version: '1.0.0' },
            do: [{ step: { wait: 'soon' } }],
          },
        })
        .expect(400);
      expect(res.body.violations.length).toBeGreaterThan(0);
      expect(res.body.violations[0].pointer).toMatch(/^\/do\/0/);
    });

    it('answers 422 naming an unsupported feature', async () => {
      const res = await s.http
        .post('/v1/tasks')
        .send({
          definition: {
            document: { dsl: '1.0.3', namespace: 'x', name: 'grpc', version: '1.0.0' },
            do: [
              {
                greet: {
                  call: 'grpc',
                  with: {
                    proto: { endpoint: 'file://app/greet.proto' },
                    service: { name: 'G', host: 'localhost' },
                    method: 'SayHello',
                  },
                },
              },
            ],
          },
        })
        .expect(422);
      expect(res.body.message).toMatch(/grpc/);
    });

    it('answers 400 for malformed JSON, and 413 for a body over the limit', async () => {
      const bad = await s.http
        .post('/v1/tasks')
        .set('content-type', 'application/json')
        .send('{"coroutine":')
        .expect(400);
      expect(bad.body.message).toMatch(/JSON/);
      await s.http
        .post('/v1/tasks')
        .send({ coroutine: 'seed.num', input: 'x'.repeat(2 * 1024 * 1024) })
        .expect(413);
    });

    it('accepts a definition as YAML text', async () => {
      const yaml =
        'document:\n  dsl: 1.0.3\n  namespace: x\n  name: set-one\n  version: 1.0.0\ndo:\n  - one:\n      set:\n        a: 1\n';
      const { body } = await s.http.post('/v1/tasks').send({ definition: yaml }).expect(201);
      expect(body.definition.name).toBe('x/set-one@1.0.0');
      expect((await s.until(body.id, ['completed'])).output).toEqual({ a: 1 });
    });

    it('creates a task once per Idempotency-Key', async () => {
      const first = await s.http
        .post('/v1/tasks')
        .set('Idempotency-Key', 'order-42')
        .send({ coroutine: 'seed.num' })
        .expect(201);
      const again = await s.http
        .post('/v1/tasks')
        .set('Idempotency-Key', 'order-42')
        .send({ coroutine: 'seed.num' })
        .expect(200);
      expect(again.body.id).toBe(first.body.id);
    });
  });

  it('GET /v1/tasks/:id is 404 for an unknown or malformed id', async () => {
    await s.http.get('/v1/tasks/nope').expect(404);
    await s.http.get('/v1/tasks/..%2F..%2Fetc').expect(404);
  });

  it('cancel twice: the second is a 409 saying it already ended', async () => {
    const { body } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201);
    await s.http.post(`/v1/tasks/${body.id}/cancel`).expect(200);
    const res = await s.http.post(`/v1/tasks/${body.id}/cancel`).expect(409);
    expect(res.body.message).toMatch(/already ended: it is cancelled/);
    const sent = await s.http.post(`/v1/tasks/${body.id}/send`).send({ value: 1 }).expect(409);
    expect(sent.body.message).toMatch(/not waiting for a value: it is cancelled/);
  });

  it('GET /v1/tasks pages newest first, filtered by status and batch, with an exact cursor', async () => {
    const { body: batch } = await s.http
      .post('/v1/batches')
      .send({ tasks: Array.from({ length: 25 }, () => ({ coroutine: 'seed.num' })) })
      .expect(201);
    await s.until(batch.taskIds[24], ['suspended']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await s.http
        .get('/v1/tasks')
        .query({ batchId: batch.id, limit: 7, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...res.body.items.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen)).toEqual(new Set(batch.taskIds));
    const suspended = await s.http.get('/v1/tasks').query({ status: 'suspended', limit: 500 }).expect(200);
    expect(suspended.body.items.every((t: { status: string }) => t.status === 'suspended')).toBe(true);
    const created = suspended.body.items.map((t: { createdAt: string }) => Date.parse(t.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    await s.http.get('/v1/tasks').query({ status: 'sleeping' }).expect(400);
    await s.http.get('/v1/tasks').query({ limit: 0 }).expect(400);
  });

  it('POST /v1/batches names the bad task', async () => {
    const res = await s.http
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.num' }, { coroutine: 'nope' }] })
      .expect(400);
    expect(res.body.message).toMatch(/tasks\[1\]: coroutine 'nope' is not registered/);
    await s.http.post('/v1/batches').send({ tasks: [] }).expect(400);
    await s.http.get('/v1/batches/unknown').expect(404);
  });

  it('POST /v1/events validates the CloudEvent', async () => {
    expect((await s.http.post('/v1/events').send({ source: 's' }).expect(400)).body.message).toMatch(/type/);
    expect(
      (await s.http.post('/v1/events').send({ type: 't', source: 's', specversion: '0.3' }).expect(400)).body.message,
    ).toMatch(/specversion/);
    const ok = await s.http
      .post('/v1/events')
      .send({ type: 't.happened', source: 's', data: { a: 1 } })
      .expect(202);
    expect(ok.body).toEqual({ id: expect.any(String), woken: 0 });
  });

  it('GET /health reports Redis and workers; GET /metrics exposes tasks, resumes and lateness', async () => {
    const health = await s.http.get('/health').expect(200);
    expect(health.body.details).toMatchObject({ redis: { status: 'up' }, workers: { status: 'up' } });
    // for an orchestrator's probes: liveness depends on nothing, readiness on Redis alone
    expect((await s.http.get('/health/live').expect(200)).body.status).toBe('ok');
    expect((await s.http.get('/health/ready').expect(200)).body.details).toEqual({
      redis: expect.objectContaining({ status: 'up' }),
    });
    const { body } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.interleave-a' }).expect(201);
    await s.until(body.id, ['completed']);
    await new Promise((r) => setTimeout(r, 600)); // workers flush their counters each heartbeat
    const metrics = (await s.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^yieldflow_tasks\{status="completed"\} [1-9]/m);
    expect(metrics).toMatch(/^yieldflow_resumes_total [1-9]/m);
    expect(metrics).toMatch(/^yieldflow_resume_lateness_ms_bucket\{le="\+Inf"\} [1-9]/m);
    expect(metrics).toMatch(/^yieldflow_workers_alive 1$/m);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await s.http.get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/tasks', '/v1/tasks/{id}/send', '/v1/batches', '/v1/events', '/v1/definitions']),
    );
  });
});
