import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../support/stack';

/** Rerun a task as a new one, from a journal step or a DSL task, with new input, over the api. */
describe('rerun a task', () => {
  let s: Stack;
  let server: Server;
  let base = '';
  const hits: Record<string, number> = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = String(req.url);
      hits[path] = (hits[path] ?? 0) + 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, n: hits[path] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    s = await startStack({ config: { httpAllow: ['127.0.0.1'] } });
  });
  afterAll(async () => {
    await s.close();
    await new Promise((r) => server.close(r));
  });

  const flow = () => ({
    document: { dsl: '1.0.3', namespace: 'ctl', name: 'two-calls', version: '1.0.0' },
    do: [
      {
        first: {
          call: 'http',
          with: { method: 'get', endpoint: `${base}/first` },
          output: { as: '${ { first: .n } }' },
        },
      },
      {
        second: {
          call: 'http',
          with: { method: 'get', endpoint: `${base}/second` },
          output: { as: '${ { first: $context.first, second: .n, input: $input } }' },
          export: { as: '.' },
        },
      },
    ],
  });

  it('from a DSL task: the steps before it keep their results, it and what follows run again', async () => {
    const { body } = await s.http
      .post('/v1/tasks')
      .send({ definition: flow(), input: { v: 1 } })
      .expect(201);
    const old = await s.until(body.id, ['completed', 'faulted']);
    expect(old.status).toBe('completed');
    expect(old.suspensions).toHaveLength(2);
    const first = hits['/first'];
    const second = hits['/second'];
    const rerun = await s.http
      .post(`/v1/tasks/${body.id}/rerun`)
      .send({ fromTask: 'second', input: { v: 2 } })
      .expect(201);
    expect(rerun.body).toMatchObject({ rerunOf: body.id, steps: 1, input: { v: 2 } });
    const t = await s.until(rerun.body.id, ['completed', 'faulted']);
    expect(t.status).toBe('completed');
    expect(hits['/first']).toBe(first);
    expect(hits['/second']).toBe(second + 1);
    // the first call's result is the journaled one, not a new call's
    expect(t.suspensions[0].result).toEqual(old.suspensions[0].result);
    expect(t.suspensions[1].result).toMatchObject({ body: { n: second + 1 } });
    expect((await s.http.get(`/v1/tasks/${body.id}`)).body.reruns).toEqual([rerun.body.id]);
  });

  it('from a journal step, and from the start', async () => {
    const { body } = await s.http
      .post('/v1/tasks')
      .send({ definition: flow(), input: { v: 1 } })
      .expect(201);
    await s.until(body.id, ['completed']);
    const first = hits['/first'];
    const all = await s.http.post(`/v1/tasks/${body.id}/rerun`).send({}).expect(201);
    expect(all.body).toMatchObject({ steps: 0, input: { v: 1 } });
    await s.until(all.body.id, ['completed']);
    expect(hits['/first']).toBe(first + 1);
    const two = await s.http.post(`/v1/tasks/${body.id}/rerun`).send({ fromStep: 2 }).expect(201);
    // every step journaled: the new task replays them all and completes without a call
    const before = { ...hits };
    expect((await s.until(two.body.id, ['completed'])).suspensions).toHaveLength(2);
    expect(hits).toEqual(before);
  });

  it('answers 409 past the journal or for a task never started, 400 for both, 404 for no such task', async () => {
    const { body } = await s.http.post('/v1/tasks').send({ definition: flow() }).expect(201);
    await s.until(body.id, ['completed']);
    expect((await s.http.post(`/v1/tasks/${body.id}/rerun`).send({ fromStep: 3 }).expect(409)).body.message).toMatch(
      /2 journaled steps/,
    );
    expect(
      (await s.http.post(`/v1/tasks/${body.id}/rerun`).send({ fromTask: 'third' }).expect(409)).body.message,
    ).toMatch(/never started a task named 'third'/);
    await s.http.post(`/v1/tasks/${body.id}/rerun`).send({ fromTask: 'second', fromStep: 1 }).expect(400);
    await s.http.post('/v1/tasks/nope/rerun').send({}).expect(404);
    const c = (await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201)).body.id;
    expect((await s.http.post(`/v1/tasks/${c}/rerun`).send({ fromTask: 'x' }).expect(409)).body.message).toMatch(
      /runs a coroutine/,
    );
    await s.http.post(`/v1/tasks/${c}/cancel`).expect(200);
  });
});
