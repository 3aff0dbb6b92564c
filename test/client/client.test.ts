import type { AddressInfo } from 'node:net';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  TaskFailedError,
  TimeoutError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  YieldflowClient,
  YieldflowError,
} from '@yieldflow/client';
import { eventually } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

const ADMIN_KEY = 'client-test-admin-key-0123456789';

describe('YieldflowClient against a real api and worker', () => {
  let s: Stack;
  let client: YieldflowClient;
  let baseUrl: string;
  beforeAll(async () => {
    s = await startStack({ workers: 1, env: { ADMIN_KEY } });
    await s.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(s.app.getHttpServer().address() as AddressInfo).port}`;
    client = new YieldflowClient({ baseUrl, apiKey: ADMIN_KEY });
  });
  afterAll(() => s.close());

  it('new YieldflowClient() - refuses bad options, naming the option', () => {
    expect(() => new YieldflowClient({ baseUrl: 'localhost:3000' })).toThrow(/baseUrl must be an .*http\(s\) URL/);
    expect(() => new YieldflowClient({ baseUrl, timeoutMs: -1 })).toThrow(/timeoutMs must be a positive number/);
  });

  it('.submit() and .result() - a coroutine runs to its output', async () => {
    const task = await client.submit({ coroutine: 'seed.func-a' });
    expect(task).toMatchObject({ id: expect.any(String), coroutine: 'seed.func-a' });
    expect(await client.result<string>(task.id, { timeoutMs: 20_000 })).toBe('a done');
    const done = await client.get(task.id);
    expect(done.status).toBe('completed');
    expect(done.suspensions.map((x) => x.label)).toEqual(['a1', 'a2', 'a3']);
  });

  it('.submit() - an inline definition, and an idempotency key returns the same task', async () => {
    const definition = {
      document: { dsl: '1.0.3', namespace: 'client', name: 'set-one', version: '1.0.0' },
      do: [{ one: { set: { a: 1 } } }],
    };
    const first = await client.submit({ definition }, { idempotencyKey: 'client-test-1' });
    const again = await client.submit({ definition }, { idempotencyKey: 'client-test-1' });
    expect(again.id).toBe(first.id);
    expect(await client.result(first.id, { timeoutMs: 20_000 })).toEqual({ a: 1 });
    const other = await client
      .submit({ coroutine: 'seed.num' }, { idempotencyKey: 'client-test-1' })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(UnprocessableError);
    expect((other as YieldflowError).status).toBe(422);
    expect((other as YieldflowError).message).toMatch(/Idempotency-Key 'client-test-1' was used for another body/);
  });

  it(".send() - answers the next yielded value, like the seed's send()", async () => {
    const task = await client.submit({ coroutine: 'seed.consumer' });
    await eventually(async () => ((await client.get(task.id)).status === 'suspended' ? true : undefined));
    expect(await client.send(task.id, 'a')).toMatchObject({ yielded: '200 OK', status: 'suspended' });
    expect(await client.send(task.id, 'b')).toMatchObject({ yielded: '200 OK', status: 'suspended' });
    expect(await client.send(task.id, null)).toMatchObject({ status: 'completed', output: ['a', 'b'] });
    const err = await client.send(task.id, 'late').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/is not waiting for a value: it is completed/);
  });

  it('.cancel() - cancels, and result() then throws TaskFailedError', async () => {
    const task = await client.submit({ coroutine: 'seed.func-b' });
    const cancelled = await client.cancel(task.id);
    expect(cancelled.status).toBe('cancelled');
    const err = await client.result(task.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailedError);
    expect((err as TaskFailedError).task.status).toBe('cancelled');
    await expect(client.cancel(task.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('.list() and .remove() - filters, and a finished task removed', async () => {
    const a = await client.submit({ coroutine: 'seed.interleave-b' });
    await client.result(a.id, { timeoutMs: 20_000 });
    const page = await client.list({ coroutine: 'seed.interleave-b', status: 'completed', limit: 10 });
    expect(page.items.map((t) => t.id)).toContain(a.id);
    expect(page.items.every((t) => t.coroutine === 'seed.interleave-b')).toBe(true);
    await client.remove(a.id);
    await expect(client.get(a.id)).rejects.toBeInstanceOf(NotFoundError);
    const running = await client.submit({ coroutine: 'seed.consumer' });
    await expect(client.remove(running.id)).rejects.toBeInstanceOf(ConflictError);
    await client.cancel(running.id);
  });

  it('.result() - times out with a TimeoutError while the task still runs', async () => {
    const task = await client.submit({ coroutine: 'seed.func-b' });
    const err = await client.result(task.id, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/did not end within 300 ms/);
    await client.cancel(task.id);
  });

  it('.batch() and .getBatch() - many tasks at once', async () => {
    const { id, taskIds } = await client.batch([
      { coroutine: 'seed.interleave-a' },
      { coroutine: 'seed.interleave-b' },
    ]);
    expect(taskIds).toHaveLength(2);
    await Promise.all(taskIds.map((t) => client.result(t, { timeoutMs: 20_000 })));
    const batch = await client.getBatch(id);
    expect(batch).toMatchObject({ id, total: 2 });
    expect(batch.counts.completed).toBe(2);
  });

  it('.publish() - an event wakes the task waiting for it', async () => {
    const definition = {
      document: { dsl: '1.0.3', namespace: 'client', name: 'hear', version: '1.0.0' },
      do: [{ hear: { listen: { to: { one: { with: { type: 'com.example.client.ping' } } } } } }],
    };
    const task = await client.submit({ definition });
    await eventually(async () => ((await client.get(task.id)).status === 'suspended' ? true : undefined));
    const answer = await client.publish({ type: 'com.example.client.ping', source: 'test', data: { n: 1 } });
    expect(answer).toMatchObject({ woken: 1 });
    expect(typeof answer.id).toBe('string');
    expect((await client.wait(task.id, { timeoutMs: 20_000 })).status).toBe('completed');
  });

  it('errors - typed, with the api message', async () => {
    const missing = await client.get('0123456789abcdef0123456789abcdef').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as YieldflowError).status).toBe(404);
    const invalid = await client.submit({ coroutine: 'no.such' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as YieldflowError).message).toMatch(/coroutine 'no.such' is not registered/);
    expect((invalid as YieldflowError).body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const anonymous = new YieldflowClient({ baseUrl });
    await expect(anonymous.get('x')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('errors - no answer is a YieldflowError with status 0', async () => {
    const nobody = new YieldflowClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2_000 });
    const err = await nobody.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YieldflowError);
    expect((err as YieldflowError).status).toBe(0);
  });
});

describe('YieldflowClient over the rate limit', () => {
  let s: Stack;
  afterAll(() => s.close());

  it('429 is a RateLimitedError with the api message and Retry-After', async () => {
    s = await startStack({ workers: 0, env: { ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '2' } });
    await s.app.listen(0, '127.0.0.1');
    const client = new YieldflowClient({
      baseUrl: `http://127.0.0.1:${(s.app.getHttpServer().address() as AddressInfo).port}`,
      apiKey: ADMIN_KEY,
    });
    const task = await client.submit({ coroutine: 'seed.num' });
    await client.get(task.id);
    const err = await client.get(task.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).status).toBe(429);
    expect((err as RateLimitedError).message).toMatch(/more than 2 requests this minute \(RATE_LIMIT_PER_MINUTE\)/);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
  });
});
