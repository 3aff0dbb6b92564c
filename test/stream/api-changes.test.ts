import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { quick } from '../schedules/support';
import { eventually } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

interface Event {
  event: string;
  data: { id: string; status: string; step?: number }[];
}

/**
 * The api's own messages on GET /v1/stream: one per successful POST that creates or changes tasks, with
 * what it answered. No worker runs here, so every message seen is the api's.
 */
describe("the api's changes on the stream", () => {
  let s: Stack;
  let base = '';
  const events: Event[] = [];
  const ctl = new AbortController();

  beforeAll(async () => {
    s = await startStack({ workers: 0 });
    const server = s.app.getHttpServer() as Server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/v1/stream`, { signal: ctl.signal });
    expect(res.status).toBe(200);
    void (async () => {
      let text = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event && data && event !== 'hello') events.push({ event, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted at the end
      }
    })();
    // the subscription is made when the first client listens
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    ctl.abort();
    await s.close();
  });

  /** The next message, once it came. */
  const next = (): Promise<Event> => eventually(async () => events.shift(), 5_000, 10);

  it('a submitted task, a control action, a rerun, a batch, a bulk action, a trigger and an event', async () => {
    const task = (await s.http.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201)).body;
    expect(await next()).toEqual({ event: 'created', data: [{ id: task.id, status: 'queued', step: 0 }] });

    await s.http.post(`/v1/tasks/${task.id}/cancel`).expect(200);
    expect(await next()).toMatchObject({ event: 'control', data: [{ id: task.id, status: 'cancelled' }] });

    const rerun = (await s.http.post(`/v1/tasks/${task.id}/rerun`).send({}).expect(201)).body;
    expect(await next()).toMatchObject({ event: 'created', data: [{ id: rerun.id, status: 'queued' }] });

    const batch = (
      await s.http
        .post('/v1/batches')
        .send({ tasks: [{ coroutine: 'seed.func-b' }] })
        .expect(201)
    ).body;
    expect(await next()).toEqual({ event: 'created', data: [{ id: batch.taskIds[0], status: 'queued' }] });

    await s.http
      .post('/v1/tasks/bulk')
      .send({ action: 'cancel', filter: { batchId: batch.id } })
      .expect(200);
    expect(await next()).toEqual({ event: 'control', data: [] });

    await s.http.post('/v1/schedules').send({ id: 'hourly', every: '1h', definition: quick }).expect(201);
    const fired = (await s.http.post('/v1/schedules/hourly/trigger').expect(201)).body;
    expect(await next()).toEqual({ event: 'fire', data: [{ id: fired.taskId, status: 'queued' }] });

    await s.http
      .post('/v1/definitions')
      .send({
        document: { dsl: '1.0.3', namespace: 'stream', name: 'on-ping', version: '1.0.0' },
        schedule: { on: { one: { with: { type: 'com.example.ping' } } } },
        do: [{ one: { set: { ok: true } } }],
      })
      .expect(201);
    const published = (
      await s.http.post('/v1/events').send({ id: 'p1', type: 'com.example.ping', source: 'test' }).expect(202)
    ).body;
    expect(published.started).toHaveLength(1);
    expect(await next()).toEqual({ event: 'created', data: [{ id: published.started[0], status: 'queued' }] });
  });

  it('nothing for a read, a refused request or a POST that changes no task', async () => {
    const task = (await s.http.post('/v1/tasks').send({ coroutine: 'seed.consumer' }).expect(201)).body;
    expect((await next()).event).toBe('created');
    await s.http.get(`/v1/tasks/${task.id}`).expect(200);
    await s.http.post('/v1/tasks/no-such-task/cancel').expect(404);
    await s.http.post('/v1/tasks').send({ coroutine: 42 }).expect(400);
    await s.http
      .post('/v1/definitions')
      .send({ document: { dsl: '1.0.3', namespace: 'stream', name: 'plain', version: '1.0.0' }, do: [] })
      .expect(201);
    // a marker: the next message is this one, so nothing came between
    await s.http.post(`/v1/tasks/${task.id}/cancel`).expect(200);
    expect(await next()).toMatchObject({ event: 'control', data: [{ id: task.id, status: 'cancelled' }] });
  });
});
