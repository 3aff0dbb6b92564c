import { startStack, type Stack } from '../support/stack';
import { as as asKey, keyFor, newAdminKey } from '../security/support';
import { quick } from './support';

/** Schedules are namespaced and role-checked: viewer reads, submitter creates, operator pauses, triggers, deletes. */
/** Requests with a bearer token, PATCH too. */
const as = (s: Stack, token: string) => ({
  ...asKey(s, token),
  patch: (url: string) => s.http.patch(url).set('Authorization', `Bearer ${token}`),
});

describe('schedules: roles and namespaces', () => {
  let s: Stack;
  const admin = newAdminKey();
  const acme: Record<string, string> = {};
  let globexViewer: string;
  let globexOperator: string;

  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin, LIMIT_AUTH_FAILURES_PER_MINUTE: '0' } });
    for (const role of ['viewer', 'submitter', 'operator']) acme[role] = await keyFor(s, admin, 'acme', role);
    globexViewer = await keyFor(s, admin, 'globex', 'viewer');
    globexOperator = await keyFor(s, admin, 'globex', 'operator');
  });
  afterAll(() => s.close());

  it('lets each role do what it may, and no more', async () => {
    const body = { id: 'reports', every: '1h', definition: quick };
    await as(s, acme.viewer).post('/v1/schedules').send(body).expect(403);
    await as(s, acme.submitter).post('/v1/schedules').send(body).expect(201);
    await as(s, acme.viewer).get('/v1/schedules/reports').expect(200);
    await as(s, acme.viewer).get('/v1/schedules/reports/preview?count=2').expect(200);
    await as(s, acme.viewer).get('/v1/schedules/reports/fires').expect(200);
    await as(s, acme.viewer).patch('/v1/schedules/reports').send({ every: '2h' }).expect(403);
    await as(s, acme.submitter).patch('/v1/schedules/reports').send({ every: '2h' }).expect(200);
    for (const path of ['pause', 'resume', 'trigger'])
      await as(s, acme.submitter).post(`/v1/schedules/reports/${path}`).expect(403);
    await as(s, acme.submitter)
      .post('/v1/schedules/reports/backfill')
      .send({ from: '2025-01-01T00:00:00Z', to: '2025-01-01T03:00:00Z' })
      .expect(403);
    await as(s, acme.submitter).delete('/v1/schedules/reports').expect(403);
    await as(s, acme.operator).post('/v1/schedules/reports/pause').send({ note: 'audit' }).expect(200);
    await as(s, acme.operator).post('/v1/schedules/reports/resume').expect(200);
    const { taskId } = (await as(s, acme.operator).post('/v1/schedules/reports/trigger').expect(201)).body;
    expect((await as(s, acme.viewer).get(`/v1/tasks/${taskId}`).expect(200)).body.scheduleId).toBe('reports');
  });

  it('answers 404 across namespaces, and lists only its own', async () => {
    await as(s, acme.submitter)
      .post('/v1/schedules')
      .send({ id: 'private', every: '1h', definition: quick })
      .expect(201);
    await as(s, globexViewer).get('/v1/schedules/private').expect(404);
    await as(s, globexViewer).get('/v1/schedules/private/fires').expect(404);
    await as(s, globexViewer).get('/v1/schedules/private/preview').expect(404);
    await as(s, globexOperator).post('/v1/schedules/private/pause').expect(404);
    await as(s, globexOperator).post('/v1/schedules/private/trigger').expect(404);
    await as(s, globexOperator).delete('/v1/schedules/private').expect(404);
    expect((await as(s, globexViewer).get('/v1/schedules').expect(200)).body.items).toEqual([]);
    expect((await as(s, globexViewer).get('/v1/tasks?scheduleId=reports').expect(200)).body.items).toEqual([]);
    expect(
      (await as(s, acme.viewer).get('/v1/tasks?scheduleId=reports').expect(200)).body.items.length,
    ).toBeGreaterThanOrEqual(1);
    expect((await as(s, acme.viewer).get('/v1/schedules/private').expect(200)).body.state).toBe('active');
  });
});

describe('schedules: a coroutine that is not the schedule', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('a task submitted as the schedule coroutine cannot fire a schedule', async () => {
    const view = (
      await s.http.post('/v1/schedules').send({ id: 'guarded', every: '1h', definition: quick }).expect(201)
    ).body;
    const input = {
      ns: 'default',
      sid: 'guarded',
      uid: 'forged',
      gen: view.generation,
      after: Date.now() - 10_000,
      count: 0,
      queue: [],
      doc: {
        spec: { everyMs: 1000 },
        given: {},
        action: { coroutine: 'seed.func-b' },
        overlap: 'allowAll',
        catchupMs: 60_000,
        pauseOnFailure: false,
      },
    };
    const { id } = (await s.http.post('/v1/tasks').send({ coroutine: 'yf.schedule', input }).expect(201)).body;
    const done = await s.until(id, ['completed'], 10_000);
    expect(done.output).toEqual({ fires: 0 });
    expect((await s.http.get('/v1/schedules/guarded/fires').expect(200)).body.items).toEqual([]);
  });
});
