import { startStack, type Stack } from '../support/stack';
import { failing, type Fire, fires, quick, sleep, untilFires } from './support';

/**
 * Overlap policies, with seed.consumer as the run that goes on (it waits in receive until a falsy value is
 * sent), pauseOnFailure, and continue-as-new (a generation every 6 steps here).
 */
describe('schedule overlap', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 2, env: { SCHEDULE_STEPS_PER_GENERATION: '6', LIMIT_SCHEDULE_EVERY_MS: '100' } });
  });
  afterAll(() => s.close());

  const create = (id: string, overlap: string) =>
    s.http.post('/v1/schedules').send({ id, every: '500ms', coroutine: 'seed.consumer', overlap }).expect(201);
  const finish = async (taskId: string) => {
    await s.until(taskId, ['suspended']);
    await s.http.post(`/v1/tasks/${taskId}/send`).send({ value: 0 }).expect(200);
    await s.until(taskId, ['completed']);
  };
  const started = (all: Fire[]) => all.filter((f) => f.result === 'started') as (Fire & { taskId: string })[];

  it('skip: fires while the run goes on are skipped and recorded; the next after its end starts', async () => {
    await create('skip', 'skip');
    const first = started(await untilFires(s, 'skip', 1, (f) => f.result === 'started'))[0];
    const skipped = await untilFires(s, 'skip', 2, (f) => f.reason === 'overlap');
    expect(started(skipped)).toHaveLength(1);
    await finish(first.taskId);
    const after = await untilFires(s, 'skip', 2, (f) => f.result === 'started');
    expect(started(after)[1].taskId).not.toBe(first.taskId);
    await s.http.delete('/v1/schedules/skip').expect(204);
  });

  it('bufferOne: one fire waits for the end and starts then; the others are skipped', async () => {
    await create('buffer-one', 'bufferOne');
    const first = started(await untilFires(s, 'buffer-one', 1, (f) => f.result === 'started'))[0];
    await untilFires(s, 'buffer-one', 1, (f) => f.reason === 'buffer-full');
    await finish(first.taskId);
    const all = await untilFires(s, 'buffer-one', 2, (f) => f.result === 'started');
    const [, second] = started(all);
    // the buffered fire is the one due right after the first: it started late, at the first's end
    expect(Date.parse(second.dueAt) - Date.parse(first.dueAt)).toBe(500);
    expect(Date.parse(second.at) - Date.parse(second.dueAt)).toBeGreaterThan(500);
    await s.http.delete('/v1/schedules/buffer-one').expect(204);
  });

  it('bufferAll: every fire waits its turn, in order', async () => {
    await create('buffer-all', 'bufferAll');
    const first = started(await untilFires(s, 'buffer-all', 1, (f) => f.result === 'started'))[0];
    await sleep(1200);
    await s.http.post('/v1/schedules/buffer-all/pause').expect(200);
    await finish(first.taskId);
    // paused: the buffered fires go with the generation; what ran started in due order, one at a time
    const all = started(await fires(s, 'buffer-all'));
    expect(all).toHaveLength(1);
    await s.http.post('/v1/schedules/buffer-all/resume').expect(200);
    const again = started(await untilFires(s, 'buffer-all', 2, (f) => f.result === 'started'));
    await sleep(1100);
    await finish(again[1].taskId);
    const more = started(await untilFires(s, 'buffer-all', 3, (f) => f.result === 'started'));
    expect(Date.parse(more[2].dueAt) - Date.parse(more[1].dueAt)).toBe(500);
    expect((await fires(s, 'buffer-all')).some((f) => f.result === 'skipped')).toBe(false);
    await s.http.delete('/v1/schedules/buffer-all').expect(204);
  });

  it('cancelOther: a fire cancels the run still going and starts its own', async () => {
    await create('cancel-other', 'cancelOther');
    const all = started(await untilFires(s, 'cancel-other', 2, (f) => f.result === 'started'));
    expect((await s.until(all[0].taskId, ['cancelled'])).status).toBe('cancelled');
    await s.http.delete('/v1/schedules/cancel-other').expect(204);
  });

  it('allowAll: runs overlap', async () => {
    await create('allow-all', 'allowAll');
    const all = started(await untilFires(s, 'allow-all', 3, (f) => f.result === 'started'));
    await s.http.delete('/v1/schedules/allow-all').expect(204);
    for (const f of all.slice(0, 3))
      expect((await s.http.get(`/v1/tasks/${f.taskId}`).expect(200)).body.status).toBe('suspended');
  });

  it('pauseOnFailure: a faulted run pauses the schedule, and the fires keep each task outcome', async () => {
    await s.http
      .post('/v1/schedules')
      .send({ id: 'fragile', every: '500ms', definition: failing, pauseOnFailure: true })
      .expect(201);
    const view = await (async () => {
      for (;;) {
        const v = (await s.http.get('/v1/schedules/fragile').expect(200)).body;
        if (v.state === 'paused') return v;
        await sleep(100);
      }
    })();
    expect(view.note).toMatch(/faulted/);
    const all = await fires(s, 'fragile');
    expect(all[0]).toMatchObject({ result: 'started', status: 'faulted' });
    expect(all.filter((f) => f.result === 'started')).toHaveLength(1);
    // resumed, the failure it paused for is acknowledged: the next run starts
    await s.http.post('/v1/schedules/fragile/resume').expect(200);
    await untilFires(s, 'fragile', 2, (f) => f.result === 'started');
    await s.http.delete('/v1/schedules/fragile').expect(204);
  });

  it('continues as new every few steps: the generations go on and fire each time once', async () => {
    await s.http
      .post('/v1/schedules')
      .send({ id: 'long-lived', every: '500ms', definition: quick, overlap: 'allowAll' })
      .expect(201);
    const all = started(await untilFires(s, 'long-lived', 8, (f) => f.result === 'started', 20_000));
    const view = (await s.http.get('/v1/schedules/long-lived').expect(200)).body;
    expect(view.generation).toBeGreaterThanOrEqual(2);
    expect(view.state).toBe('active');
    const dues = all.map((f) => Date.parse(f.dueAt));
    for (let i = 1; i < dues.length; i++) expect(dues[i] - dues[i - 1]).toBe(500);
    await s.http.delete('/v1/schedules/long-lived').expect(204);
  });
});
