import { jitterOf } from '@yieldflow/contracts';
import { startStack, type Stack } from '../support/stack';
import { fires, quick, sleep, untilFires } from './support';

/** Schedules end to end: the api in-process, two workers, a real Redis. */
describe('schedules', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 2, env: { LIMIT_SCHEDULE_EVERY_MS: '100' } });
  });
  afterAll(() => s.close());

  it('refuses bad input with a 400 naming the field', async () => {
    const bad = async (body: object, field: RegExp) => {
      const res = await s.http.post('/v1/schedules').send(body).expect(400);
      expect(res.body.message).toMatch(field);
    };
    await bad({ cron: 'every day', definition: quick }, /cron/);
    await bad({ cron: '61 * * * *', definition: quick }, /cron/);
    await bad({ cron: '* * *', definition: quick }, /cron/);
    await bad({ cron: '0 9 * * *', timezone: 'Mars/Olympus', definition: quick }, /timezone/);
    await bad({ every: 'often', definition: quick }, /every/);
    await bad({ every: '1ms', definition: quick, overlap: 'allowAll' }, /LIMIT_SCHEDULE_EVERY_MS/);
    await bad({ definition: quick }, /cron, every/);
    await bad({ every: '1s', coroutine: 'no.such' }, /coroutine/);
    await bad({ every: '1s' }, /coroutine, definition, definitionRef/);
    await bad({ every: '1s', definition: quick, overlap: 'sometimes' }, /overlap/);
    await bad({ every: '1s', definition: quick, startAt: 'yesterday' }, /startAt/);
    await s.http
      .post('/v1/schedules')
      .send({ every: '1s', definitionRef: { name: 'nope' } })
      .expect(404);
  });

  it('fires every second, each fire once although two workers run, and links each task back', async () => {
    const created = (
      await s.http
        .post('/v1/schedules')
        .send({ id: 'every-second', every: '1s', definition: quick, overlap: 'allowAll' })
        .expect(201)
    ).body;
    expect(created).toMatchObject({ id: 'every-second', state: 'active', overlap: 'allowAll', fires: 0 });
    expect(created.next).toHaveLength(5);
    const all = await untilFires(s, 'every-second', 3, (f) => f.result === 'started');
    const started = all.filter((f) => f.result === 'started');
    // one record per due time, consecutive seconds, each with its own task
    const dues = started.map((f) => Date.parse(f.dueAt));
    expect(new Set(dues).size).toBe(dues.length);
    for (let i = 1; i < dues.length; i++) expect(dues[i] - dues[i - 1]).toBe(1000);
    expect(dues.every((d) => d % 1000 === 0)).toBe(true);
    const task = await s.until(started[0].taskId!, ['completed']);
    expect(task.scheduleId).toBe('every-second');
    expect(started[0].taskId).toBe(`sch-${started[0].taskId!.split('-')[1]}-${dues[0]}`);
    const listed = (await s.http.get('/v1/tasks?scheduleId=every-second&limit=2').expect(200)).body;
    expect(listed.items).toHaveLength(2);
    expect(listed.items[0].scheduleId).toBe('every-second');
    expect(listed.nextCursor).toBe('2');
    await s.http.get('/v1/tasks?scheduleId=every-second&cursor=x').expect(400);
    const metrics = (await s.http.get('/metrics').expect(200)).text;
    expect(Number(/yieldflow_schedule_fire_lateness_ms_count (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/yieldflow_schedule_fire_lateness_ms_bucket\{le="\+Inf"\} \d+/);
    const view = (await s.http.get('/v1/schedules/every-second').expect(200)).body;
    expect(view.fires).toBeGreaterThanOrEqual(3);
    await s.http.delete('/v1/schedules/every-second').expect(204);
    await s.http.get('/v1/schedules/every-second').expect(404);
  });

  it('previews the next fire times, pages the list and answers 409 for a taken id', async () => {
    const nightly = (
      await s.http
        .post('/v1/schedules')
        .send({ id: 'nightly', cron: '30 2 * * *', timezone: 'Europe/Berlin', definition: quick })
        .expect(201)
    ).body;
    expect(nightly).toMatchObject({ overlap: 'skip', catchupWindowMs: 60_000, pauseOnFailure: false });
    await s.http.post('/v1/schedules').send({ id: 'nightly', every: '1h', definition: quick }).expect(409);
    const preview = (await s.http.get('/v1/schedules/nightly/preview?count=3').expect(200)).body.fires as string[];
    expect(preview).toHaveLength(3);
    for (const t of preview)
      expect(new Date(t).toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin' })).toMatch(/^0[23]:[03]0:00$/);
    await s.http.get('/v1/schedules/nightly/preview?count=0').expect(400);
    await s.http.post('/v1/schedules').send({ id: 'hourly', every: '1h', definition: quick }).expect(201);
    const first = (await s.http.get('/v1/schedules?limit=1').expect(200)).body;
    expect(first.items).toHaveLength(1);
    const second = (await s.http.get(`/v1/schedules?limit=1&cursor=${first.nextCursor}`).expect(200)).body;
    expect(second.items[0].id).not.toBe(first.items[0].id);
  });

  it('pauses with a note (no fires), resumes, and changes its spec with PATCH', async () => {
    await s.http.post('/v1/schedules').send({ id: 'pausable', every: '500ms', definition: quick }).expect(201);
    await untilFires(s, 'pausable', 1);
    const paused = (await s.http.post('/v1/schedules/pausable/pause').send({ note: 'maintenance' }).expect(200)).body;
    expect(paused).toMatchObject({ state: 'paused', note: 'maintenance', next: [] });
    await sleep(300);
    const before = (await fires(s, 'pausable')).length;
    await sleep(1500);
    expect((await fires(s, 'pausable')).length).toBe(before);
    expect((await s.http.post('/v1/schedules/pausable/resume').expect(200)).body.state).toBe('active');
    await untilFires(s, 'pausable', before + 1);
    const patched = (await s.http.patch('/v1/schedules/pausable').send({ every: '1h' }).expect(200)).body;
    expect(patched.spec.every).toBe('1h');
    expect(Date.parse(patched.next[0]) % 3_600_000).toBe(0);
    await sleep(300);
    const afterPatch = (await fires(s, 'pausable')).length;
    await sleep(1200);
    expect((await fires(s, 'pausable')).length).toBe(afterPatch);
    await s.http.patch('/v1/schedules/pausable').send({ cron: 'nope' }).expect(400);
  });

  it('runs a trigger now, and stops after limit fires', async () => {
    await s.http.post('/v1/schedules').send({ id: 'limited', every: '500ms', limit: 2, definition: quick }).expect(201);
    await untilFires(s, 'limited', 2);
    await sleep(1200);
    const done = await fires(s, 'limited');
    expect(done.filter((f) => f.result === 'started')).toHaveLength(2);
    expect((await s.http.get('/v1/schedules/limited').expect(200)).body.state).toBe('ended');
    const { taskId } = (await s.http.post('/v1/schedules/limited/trigger').expect(201)).body;
    expect((await s.until(taskId, ['completed'])).scheduleId).toBe('limited');
    const last = (await fires(s, 'limited')).pop()!;
    expect(last).toMatchObject({ taskId, trigger: 'manual', result: 'started' });
  });

  it('after: starts again that long after each run ends, never while it runs', async () => {
    const view = (
      await s.http
        .post('/v1/schedules')
        .send({ id: 'after-end', after: '500ms', coroutine: 'seed.consumer' })
        .expect(201)
    ).body;
    expect(view.next).toEqual([]);
    const [first] = await untilFires(s, 'after-end', 1);
    await s.until(first.taskId!, ['suspended']);
    await sleep(1200);
    expect(await fires(s, 'after-end')).toHaveLength(1);
    await s.http.post(`/v1/tasks/${first.taskId}/send`).send({ value: 0 }).expect(200);
    const ended = await s.until(first.taskId!, ['completed']);
    const [, second] = await untilFires(s, 'after-end', 2);
    expect(Date.parse(second.dueAt) - Date.parse(ended.finishedAt!)).toBe(500);
    await s.http.delete('/v1/schedules/after-end').expect(204);
  });

  it('delays each fire by its own jitter, the same for a given fire', async () => {
    await s.http
      .post('/v1/schedules')
      .send({ id: 'jittery', every: '500ms', jitter: '300ms', definition: quick, overlap: 'allowAll' })
      .expect(201);
    const all = (await untilFires(s, 'jittery', 4)).filter((f) => f.result === 'started');
    await s.http.delete('/v1/schedules/jittery').expect(204);
    const uid = all[0].taskId!.split('-')[1];
    const jitters = all.map((f) => jitterOf(uid, Date.parse(f.dueAt), 300));
    all.forEach((f, i) => expect(Date.parse(f.at) - Date.parse(f.dueAt)).toBeGreaterThanOrEqual(jitters[i]));
    expect(new Set(jitters).size).toBeGreaterThan(1);
    expect(jitters.every((j) => j >= 0 && j < 300)).toBe(true);
  });

  it('backfills the fires of a past range once each, however often asked', async () => {
    await s.http
      .post('/v1/schedules')
      .send({ id: 'daily', cron: '0 6 * * *', timezone: 'America/New_York', definition: quick })
      .expect(201);
    const day = 86_400_000;
    const to = new Date(Math.floor(Date.now() / day) * day - day).toISOString();
    const from = new Date(Date.parse(to) - 3 * day).toISOString();
    const one = (await s.http.post('/v1/schedules/daily/backfill').send({ from, to, overlap: 'allowAll' }).expect(201))
      .body;
    expect(one.fires).toBe(3);
    await s.until(one.taskId, ['completed']);
    const two = (await s.http.post('/v1/schedules/daily/backfill').send({ from, to, overlap: 'allowAll' }).expect(201))
      .body;
    await s.until(two.taskId, ['completed']);
    const recorded = await fires(s, 'daily');
    expect(recorded.filter((f) => f.result === 'started')).toHaveLength(3);
    expect(recorded.every((f) => f.trigger === 'backfill')).toBe(true);
    for (const f of recorded)
      expect(new Date(f.dueAt).toLocaleTimeString('en-GB', { timeZone: 'America/New_York' })).toBe('06:00:00');
    await s.http.post('/v1/schedules/daily/backfill').send({ from: to, to: from }).expect(400);
    await s.http
      .post('/v1/schedules/daily/backfill')
      .send({ from, to: new Date(Date.now() + day).toISOString() })
      .expect(400);
  });
});

describe("a definition's document.schedule", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 1, env: { LIMIT_SCHEDULE_EVERY_MS: '100' } });
  });
  afterAll(() => s.close());

  const doc = (version: string, schedule: object) => ({
    document: { dsl: '1.0.3', namespace: 'sch', name: 'ticker', version },
    schedule,
    do: [{ one: { set: { version } } }],
  });

  it('after: a definition that restarts after each run', async () => {
    await s.http
      .post('/v1/definitions')
      .send({
        ...doc('1.0.0', { after: { milliseconds: 300 } }),
        document: { dsl: '1.0.3', namespace: 'sch', name: 'again', version: '1.0.0' },
      })
      .expect(201);
    const all = (await untilFires(s, 'def-sch-again', 3)).slice(0, 3);
    for (let i = 1; i < all.length; i++) {
      const prev = (await s.http.get(`/v1/tasks/${all[i - 1].taskId}`).expect(200)).body;
      expect(Date.parse(all[i].dueAt) - Date.parse(prev.finishedAt)).toBe(300);
    }
    await s.http.delete('/v1/schedules/def-sch-again').expect(204);
  });

  it('creates its schedule when registered, and a new version replaces it', async () => {
    await s.http
      .post('/v1/definitions')
      .send(doc('1.0.0', { every: { milliseconds: 500 } }))
      .expect(201);
    const view = (await s.http.get('/v1/schedules/def-sch-ticker').expect(200)).body;
    expect(view).toMatchObject({
      state: 'active',
      source: 'definition sch/ticker@1.0.0',
      action: { definitionRef: { name: 'ticker', version: '1.0.0' } },
    });
    const first = (await untilFires(s, 'def-sch-ticker', 1, (f) => f.result === 'started')).find(
      (f) => f.result === 'started',
    )!;
    expect((await s.until(first.taskId!, ['completed'])).output).toEqual({ version: '1.0.0' });
    await s.http
      .post('/v1/definitions')
      .send(doc('1.1.0', { cron: '0 0 1 1 *' }))
      .expect(201);
    const replaced = (await s.http.get('/v1/schedules/def-sch-ticker').expect(200)).body;
    expect(replaced).toMatchObject({
      source: 'definition sch/ticker@1.1.0',
      spec: { cron: '0 0 1 1 *' },
      action: { definitionRef: { version: '1.1.0' } },
    });
    expect(replaced.spec.every).toBeUndefined();
    expect(new Date(replaced.next[0]).toISOString()).toMatch(/-01-01T00:00:00.000Z$/);
    await sleep(300);
    const n = (await fires(s, 'def-sch-ticker')).length;
    await sleep(1000);
    expect((await fires(s, 'def-sch-ticker')).length).toBe(n);
  });
});

describe("a definition's document.schedule.on", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 1, env: { LIMIT_SCHEDULE_EVERY_MS: '100' } });
  });
  afterAll(() => s.close());

  it('starts a task for each matching event, once per event id, with the event as input', async () => {
    const doc = (version: string, type: string) => ({
      document: { dsl: '1.0.3', namespace: 'sch', name: 'on-event', version },
      schedule: { on: { one: { with: { type } } } },
      do: [{ one: { set: { patient: '${ $workflow.input[0].data.patient }', version } } }],
    });
    await s.http.post('/v1/definitions').send(doc('1.0.0', 'com.example.heartbeat.low')).expect(201);
    const published = (
      await s.http
        .post('/v1/events')
        .send({ id: 'e1', type: 'com.example.heartbeat.low', source: 'ward', data: { patient: 'p1' } })
        .expect(202)
    ).body;
    expect(published.started).toHaveLength(1);
    expect((await s.until(published.started[0], ['completed'])).output).toEqual({ patient: 'p1', version: '1.0.0' });
    const again = (
      await s.http
        .post('/v1/events')
        .send({ id: 'e1', type: 'com.example.heartbeat.low', source: 'ward', data: { patient: 'p1' } })
        .expect(202)
    ).body;
    expect(again.started).toEqual(published.started);
    expect(
      (await s.http.post('/v1/events').send({ type: 'com.example.other', source: 'ward' }).expect(202)).body.started,
    ).toBeUndefined();
    // a new version replaces the filter
    await s.http.post('/v1/definitions').send(doc('2.0.0', 'com.example.heartbeat.none')).expect(201);
    expect(
      (await s.http.post('/v1/events').send({ type: 'com.example.heartbeat.low', source: 'ward' }).expect(202)).body
        .started,
    ).toBeUndefined();
    const v2 = (
      await s.http
        .post('/v1/events')
        .send({ type: 'com.example.heartbeat.none', source: 'ward', data: { patient: 'p2' } })
        .expect(202)
    ).body;
    expect((await s.until(v2.started[0], ['completed'])).output).toEqual({ patient: 'p2', version: '2.0.0' });
  });
});
