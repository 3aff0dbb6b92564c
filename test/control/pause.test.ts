import { eventually } from '../support/redis';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey, until } from '../security/support';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pause and resume over the api, with in-process workers on a real Redis. */
describe('pause and resume', () => {
  let s: Stack;
  const admin = newAdminKey();
  let op: ReturnType<typeof as>;
  let other: ReturnType<typeof as>;
  let submitter: ReturnType<typeof as>;
  let operatorKey = '';

  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin, SEND_WAIT_MS: '300' } });
    operatorKey = await keyFor(s, admin, 'acme', 'operator');
    op = as(s, operatorKey);
    other = as(s, await keyFor(s, admin, 'globex', 'operator'));
    submitter = as(s, await keyFor(s, admin, 'acme', 'submitter'));
  });
  afterAll(() => s.close());

  const submit = async (coroutine: string): Promise<string> =>
    (await op.post('/v1/tasks').send({ coroutine }).expect(201)).body.id;

  it('a paused sleep does not fire; on resume the due timer fires at once', async () => {
    const id = await submit('seed.func-b'); // sleeps 3 s
    await until(s, operatorKey, id, ['suspended']);
    const paused = await op.post(`/v1/tasks/${id}/pause`).send({ note: 'hold on' }).expect(200);
    expect(paused.body).toMatchObject({ status: 'paused', pauseNote: 'hold on' });
    expect(paused.body.pausedAt).toBeDefined();
    // the sleep falls due while paused: nothing resumes it
    await wait(3500);
    const held = (await op.get(`/v1/tasks/${id}`).expect(200)).body;
    expect(held).toMatchObject({ status: 'paused', steps: 0 });
    expect(held.breakdown.pausedMs).toBeGreaterThan(3000);
    const resumedAt = Date.now();
    const resumed = await op.post(`/v1/tasks/${id}/resume`).expect(200);
    expect(resumed.body.status).toBe('suspended');
    const done = await until(s, operatorKey, id, ['completed']);
    expect(Date.now() - resumedAt).toBeLessThan(1000);
    const b = done.breakdown;
    expect(b.pausedMs).toBeGreaterThan(3000);
    expect(b.queuedMs + b.runningMs + b.suspendedMs + b.pausedMs).toBe(done.elapsedMs);
    expect(done.pauseNote).toBeUndefined();
  });

  it('a value sent to a paused task is kept and delivered on resume', async () => {
    const id = await submit('seed.consumer');
    await until(s, operatorKey, id, ['suspended']);
    await op.post(`/v1/tasks/${id}/pause`).expect(200);
    // accepted and kept, but nothing resumes the task: the sender is answered 'pending'
    const sent = await submitter.post(`/v1/tasks/${id}/send`).send({ value: 'apple' }).expect(202);
    expect(sent.body.status).toBe('paused');
    await wait(300);
    expect((await op.get(`/v1/tasks/${id}`)).body).toMatchObject({ status: 'paused', steps: 0 });
    await op.post(`/v1/tasks/${id}/resume`).expect(200);
    const t = await eventually(async () => {
      const v = (await op.get(`/v1/tasks/${id}`)).body;
      return v.steps === 1 && v.status === 'suspended' ? v : undefined;
    });
    expect(t.yielded).toBe('200 OK');
    expect(t.suspensions[0].result).toBe('apple');
  });

  it('a step run ahead of a sleep is not committed for a paused task', async () => {
    const id = await submit('seed.interleave-b'); // sleeps 200, 100, 200 ms; the worker runs each next step ahead
    await until(s, operatorKey, id, ['suspended']);
    await op.post(`/v1/tasks/${id}/pause`).expect(200);
    await wait(800);
    expect((await op.get(`/v1/tasks/${id}`)).body).toMatchObject({ status: 'paused', steps: 0 });
    await op.post(`/v1/tasks/${id}/resume`).expect(200);
    const t = await until(s, operatorKey, id, ['completed']);
    expect(t.suspensions.map((x: { label: string }) => x.label)).toEqual(['x', 'y', 'z']);
  });

  it('answers 409 when the action does not apply, 404 across namespaces, 403 below operator', async () => {
    const id = await submit('seed.consumer');
    await until(s, operatorKey, id, ['suspended']);
    expect((await op.post(`/v1/tasks/${id}/resume`).expect(409)).body.message).toMatch(
      /is not paused: it is suspended/,
    );
    await op.post(`/v1/tasks/${id}/pause`).expect(200);
    expect((await op.post(`/v1/tasks/${id}/pause`).expect(409)).body.message).toMatch(/is already paused/);
    await other.post(`/v1/tasks/${id}/pause`).expect(404);
    await other.post(`/v1/tasks/${id}/resume`).expect(404);
    await submitter.post(`/v1/tasks/${id}/resume`).expect(403);
    await op.post(`/v1/tasks/${id}/cancel`).expect(200);
    const ended = await op.post(`/v1/tasks/${id}/pause`).expect(409);
    expect(ended.body.message).toMatch(/already ended: it is cancelled/);
    await op.post(`/v1/tasks/${id}/resume`).expect(409);
    // a cancelled paused task counts its paused time apart, and is no longer paused
    const v = (await op.get(`/v1/tasks/${id}`)).body;
    expect(v.status).toBe('cancelled');
    expect(v.breakdown.queuedMs + v.breakdown.runningMs + v.breakdown.suspendedMs + v.breakdown.pausedMs).toBe(
      v.elapsedMs,
    );
  });

  it('lists paused tasks by status', async () => {
    const id = await submit('seed.consumer');
    await until(s, operatorKey, id, ['suspended']);
    await op.post(`/v1/tasks/${id}/pause`).expect(200);
    const page = (await op.get('/v1/tasks?status=paused').expect(200)).body;
    expect(page.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(page.items.every((t: { status: string }) => t.status === 'paused')).toBe(true);
  });
});
