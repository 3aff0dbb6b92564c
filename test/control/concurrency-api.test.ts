import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey, until } from '../security/support';

/** Concurrency limits set over the api apply to tasks and batches submitted over it. */
describe('POST /v1/concurrency', () => {
  let s: Stack;
  const admin = newAdminKey();
  let op: ReturnType<typeof as>;
  let opKey = '';

  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin } });
    opKey = await keyFor(s, admin, 'acme', 'operator');
    op = as(s, opKey);
  });
  afterAll(() => s.close());

  it('sets, lists and removes limits; 400 for a key that is not a path, 403 below operator', async () => {
    await as(s, await keyFor(s, admin, 'acme', 'submitter'))
      .post('/v1/concurrency')
      .send({ name: 'seed.func-b', limit: 1 })
      .expect(403);
    expect(
      (await op.post('/v1/concurrency').send({ name: 'seed.func-b', limit: 1, key: '${ .a | length }' }).expect(400))
        .body.message,
    ).toMatch(/key must be a path/);
    await op.post('/v1/concurrency').send({ name: 'seed.func-b', limit: 0 }).expect(400);
    expect(
      (await op.post('/v1/concurrency').send({ name: 'seed.func-b', limit: 2, key: '${ .customerId }' }).expect(200))
        .body,
    ).toEqual({ name: 'seed.func-b', limit: 2, key: '${ .customerId }' });
    expect((await op.get('/v1/concurrency').expect(200)).body.items).toEqual([
      { name: 'seed.func-b', limit: 2, key: '${ .customerId }' },
    ]);
    // another namespace sees none of them
    expect(
      (
        await as(s, await keyFor(s, admin, 'globex', 'operator'))
          .get('/v1/concurrency')
          .expect(200)
      ).body.items,
    ).toEqual([]);
    await op.delete('/v1/concurrency?name=seed.func-b').expect(204);
    await op.delete('/v1/concurrency?name=seed.func-b').expect(404);
  });

  it('a submission and a batch over a definition limit wait queued until a slot frees', async () => {
    const doc = {
      document: { dsl: '1.0.3', namespace: 'ctl', name: 'nap', version: '1.0.0' },
      do: [{ nap: { wait: { milliseconds: 600 } } }],
    };
    await op.post('/v1/concurrency').send({ name: 'ctl/nap', limit: 1 }).expect(200);
    await new Promise((r) => setTimeout(r, 1100)); // the api reads limits at most once a second
    const first = (await op.post('/v1/tasks').send({ definition: doc }).expect(201)).body.id;
    const batch = (
      await op
        .post('/v1/batches')
        .send({ tasks: [{ definition: doc }, { definition: doc }] })
        .expect(201)
    ).body;
    const ids = [
      first,
      ...(await op.get(`/v1/tasks?batchId=${batch.id}`).expect(200)).body.items.map((t: { id: string }) => t.id),
    ];
    await until(s, opKey, first, ['suspended']);
    const rest = await Promise.all(
      ids.slice(1).map(async (id: string) => (await op.get(`/v1/tasks/${id}`)).body.status),
    );
    expect(rest).toEqual(['queued', 'queued']);
    const done = await Promise.all(ids.map((id: string) => until(s, opKey, id, ['completed'], 10_000)));
    for (let i = 1; i < done.length; i++)
      expect(Date.parse(done[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(done[i - 1].finishedAt));
  });

  it("a limit without a key counts by the coroutine's registered key function: one per customer", async () => {
    await op.post('/v1/concurrency').send({ name: 'demo.per-customer', limit: 1 }).expect(200);
    await new Promise((r) => setTimeout(r, 1100)); // the api reads limits at most once a second
    const submit = async (customer: string) =>
      (
        await op
          .post('/v1/tasks')
          .send({ coroutine: 'demo.per-customer', input: { customer: { id: customer } } })
          .expect(201)
      ).body.id as string;
    const a1 = await submit('a');
    const a2 = await submit('a');
    const b1 = await submit('b');
    await until(s, opKey, a1, ['suspended']);
    await until(s, opKey, b1, ['suspended', 'completed']); // another customer: not held back
    expect((await op.get(`/v1/tasks/${a2}`)).body.status).toBe('queued');
    const [first, second] = await Promise.all([a1, a2].map((id) => until(s, opKey, id, ['completed'], 10_000)));
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
    await op.delete('/v1/concurrency?name=demo.per-customer').expect(204);
  });

  it('a submission takes a priority from 0 to 100, shown in its view', async () => {
    const { body } = await op.post('/v1/tasks').send({ coroutine: 'seed.consumer', priority: 7 }).expect(201);
    expect(body.priority).toBe(7);
    expect(
      (await op.post('/v1/tasks').send({ coroutine: 'seed.consumer', priority: 101 }).expect(400)).body.message,
    ).toMatch(/priority/);
    await op.post(`/v1/tasks/${body.id}/cancel`).expect(200);
  });
});
