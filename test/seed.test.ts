import type { BatchView, TaskView } from '@yieldflow/contracts';
import { startStack, type Stack } from './support/stack';

/** The seed's scenarios, through the REST API, on a real Redis. */
describe('the seed, end to end', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 2 });
  });
  afterAll(() => s.close());

  const batchOf = async (tasks: object[], sleepMs = 3000) => {
    const created = await s.http.post('/v1/batches').send({ tasks }).expect(201);
    expect(created.body.taskIds).toHaveLength(tasks.length);
    let batch!: BatchView;
    for (const end = Date.now() + 8000; Date.now() < end;) {
      batch = (await s.http.get(`/v1/batches/${created.body.id}`).expect(200)).body;
      if (batch.finishedAt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const views = await Promise.all(
      (created.body.taskIds as string[]).map(async (id) => (await s.http.get(`/v1/tasks/${id}`).expect(200)).body),
    );
    // every task sleeps its full time from its submission (a task's schedule starts when it is submitted)
    for (const t of views)
      if (t.status === 'completed')
        expect(Date.parse(t.finishedAt) - Date.parse(t.createdAt)).toBeGreaterThanOrEqual(sleepMs);
    // the batch's wall time runs from its first task's start, which may be a queueing millisecond or two
    // after that task's submission
    const firstStart = Math.min(...views.map((t) => Date.parse(t.startedAt)));
    const queued = firstStart - Math.min(...views.map((t) => Date.parse(t.createdAt)));
    return { batch, taskIds: created.body.taskIds as string[], floor: sleepMs - queued };
  };

  it('func_a and func_b in one batch: 6 s of sleeping in about 3 s, speedup about 2', async () => {
    const { batch, taskIds, floor } = await batchOf([{ coroutine: 'seed.func-a' }, { coroutine: 'seed.func-b' }]);
    expect(batch.counts.completed).toBe(2);
    expect(batch.wallMs).toBeGreaterThanOrEqual(floor);
    expect(batch.wallMs).toBeLessThanOrEqual(3100);
    expect(batch.sumElapsedMs).toBeGreaterThanOrEqual(6000);
    expect(batch.sumElapsedMs).toBeLessThan(6300);
    expect(batch.speedup).toBeGreaterThan(1.9);
    expect(batch.speedup).toBeLessThanOrEqual(2.05);
    const a = (await s.http.get(`/v1/tasks/${taskIds[0]}`)).body as TaskView;
    expect(a.suspensions.map((x) => x.label)).toEqual(['a1', 'a2', 'a3']);
    for (const sus of a.suspensions) {
      expect(sus.lateMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(sus.resumedAt) - Date.parse(sus.dueAt!)).toBe(sus.lateMs);
    }
    expect(a.breakdown.queuedMs + a.breakdown.runningMs + a.breakdown.suspendedMs).toBe(a.elapsedMs);
  });

  it('the same two written as workflow definitions', async () => {
    const def = (name: string, waits: string[]) => ({
      document: { dsl: '1.0.3', namespace: 'seed', name, version: '1.0.0' },
      do: waits.map((w, i) => ({ [`sleep${i + 1}`]: { wait: w } })),
    });
    const { batch, floor } = await batchOf([
      { definition: def('func-a', ['PT1S', 'PT1S', 'PT1S']) },
      { definition: def('func-b', ['PT3S']) },
    ]);
    expect(batch.counts.completed).toBe(2);
    expect(batch.wallMs).toBeGreaterThanOrEqual(floor);
    expect(batch.wallMs).toBeLessThanOrEqual(3100);
    expect(batch.speedup).toBeGreaterThan(1.9);
  });

  it("seed.consumer: the producer sends 1 to 5 and gets '200 OK' each time, then cancels", async () => {
    const { body: task } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201);
    const primed = await s.until(task.id, ['suspended']);
    expect(primed.yielded).toBe('');
    for (let n = 1; n <= 5; n++) {
      const res = await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: n }).expect(200);
      expect(res.body).toEqual({ yielded: '200 OK', status: 'suspended' });
    }
    const closed = await s.http.post(`/v1/tasks/${task.id}/cancel`).expect(200);
    expect(closed.body.status).toBe('cancelled');
    const record = (await s.http.get(`/v1/tasks/${task.id}`)).body as TaskView;
    expect(record.suspensions.map((x) => x.result)).toEqual([1, 2, 3, 4, 5]);
    await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 6 }).expect(409);
  });

  it('seed.consumer completes when sent a falsy value, returning what it consumed', async () => {
    const { body: task } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201);
    await s.until(task.id, ['suspended']);
    await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 'x' }).expect(200);
    const res = await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 0 }).expect(200);
    expect(res.body).toEqual({ yielded: null, status: 'completed', output: ['x'] });
  });

  it('seed.num: send 5 answers 5, send 100 answers 100', async () => {
    const { body: task } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.num' }).expect(201);
    expect((await s.until(task.id, ['suspended'])).yielded).toBe(1);
    expect((await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 5 }).expect(200)).body.yielded).toBe(5);
    expect((await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 100 }).expect(200)).body.yielded).toBe(100);
  });

  it('a value sent before the first suspension is kept, not lost', async () => {
    const { body: task } = await s.http.post('/v1/tasks').send({ coroutine: 'seed.num' }).expect(201);
    const res = await s.http.post(`/v1/tasks/${task.id}/send`).send({ value: 7 }).expect(200);
    // received at its first receive (which yielded 1), it answers with the next: 7
    expect(res.body).toEqual({ yielded: 7, status: 'suspended' });
  });

  it('A and B interleave as their sleeps dictate: 1 2 x y 3 z', async () => {
    const { taskIds } = await batchOf([{ coroutine: 'seed.interleave-a' }, { coroutine: 'seed.interleave-b' }], 400);
    const steps: { label: string; at: number }[] = [];
    for (const id of taskIds) {
      const t = (await s.http.get(`/v1/tasks/${id}`)).body;
      for (const x of t.suspensions) steps.push({ label: x.label, at: Date.parse(x.resumedAt) });
    }
    steps.sort((p, q) => p.at - q.at);
    expect(steps.map((x) => x.label).join(' ')).toBe('1 2 x y 3 z');
  });
});
