import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { definition, hostileStack, type HostileStack } from './support';
import { redisOf } from '../../libs/store/src/testing';

/**
 * The rest of the hostile submitter's report, against a real worker process with authentication on:
 * each attempt fails or is bounded, and a seed func_b of the other namespace still completes on time.
 */
describe('one namespace against another', () => {
  const secret = 'sk-Tenant-B-5f1c9e77';
  let s: HostileStack;
  let server: Server;
  let target = '';
  const seen: { url: string; authorization?: string; cookie?: string }[] = [];

  beforeAll(async () => {
    // one origin that redirects to another (a different port): what reaches the second is recorded
    const other = createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization, cookie: req.headers.cookie });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherPort = (other.address() as AddressInfo).port;
    server = createServer((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landed` }).end(),
    );
    server.on('close', () => other.close());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/start`;
    s = await hostileStack({ HTTP_ALLOW: '127.0.0.1', SECRETS: JSON.stringify({ 'tenant-b': { key: secret } }) });
  }, 30_000);
  afterAll(async () => {
    await s.close();
    await new Promise((r) => server.close(r));
  });

  const run = async (
    tenant: HostileStack['a'],
    body: unknown[],
    extra: Record<string, unknown> = {},
    input: unknown = {},
  ) => {
    const res = await tenant
      .post('/v1/tasks')
      .send({ definition: definition(body, extra), input })
      .expect(201);
    return tenant.until(res.body.id as string, ['completed', 'faulted']);
  };

  it("A's expressions leave nothing for B's", async () => {
    const onTime = await s.bystander();
    await run(s.a, [{ pollute: { set: { out: '${ .__proto__.approved = true | . }' } } }]);
    const read = await run(s.b, [
      { check: { set: { verdict: '${ if .approved then "APPROVED" else "denied" end }' } } },
    ]);
    expect(read.output).toEqual({ verdict: 'denied' });
    await onTime();
  });

  it("A cannot see B's secrets, nor their names", async () => {
    const onTime = await s.bystander();
    const read = await run(s.a, [{ peek: { set: { names: '${ $secrets | keys }', key: '${ $secrets.key }' } } }], {
      use: { secrets: ['key'] },
    });
    expect(read.output).toEqual({ names: [], key: null });
    await onTime();
  });

  it('large events are stored once, not once per partition', async () => {
    const onTime = await s.bystander();
    const before = Number(/used_memory:(\d+)/.exec(await redisOf(s.store).info('memory'))![1]);
    let bytes = 0;
    for (let i = 0; i < 10; i++) {
      const event = { type: 'big', source: 'hostile', id: `big-${i}`, data: 'x'.repeat(200 * 1024) };
      bytes += JSON.stringify(event).length;
      await s.a
        .post('/v1/events')
        .send(event)
        .expect((r) => expect(r.status).toBeLessThan(300));
    }
    const grown = Number(/used_memory:(\d+)/.exec(await redisOf(s.store).info('memory'))![1]) - before;
    // one partition here, so the old layout kept each body twice (under its type and under '*'); 16
    // partitions made it 33 copies (the exact measure, on a Redis of its own, is event-memory.test.ts)
    expect(grown).toBeLessThan(bytes * 1.5);
    await onTime();
  });

  it('a redirect to another origin carries no credentials', async () => {
    const onTime = await s.bystander();
    const done = await run(s.a, [
      {
        call1: {
          call: 'http',
          with: {
            method: 'get',
            endpoint: target,
            redirect: true,
            headers: { authorization: 'Bearer tenant-a-token', cookie: 'session=a' },
          },
        },
      },
    ]);
    expect(done.status).toBe('completed');
    const landed = seen.find((x) => x.url === '/landed');
    expect(landed).toEqual({ url: '/landed', authorization: undefined, cookie: undefined });
    await onTime();
  });

  it('deep JSON is a 400; the same Idempotency-Key with another body is a 422', async () => {
    const onTime = await s.bystander();
    const deep = '{"coroutine":"seed.func-a","input":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const res = await s.a.post('/v1/tasks').set('content-type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('LIMIT_JSON_DEPTH');
    await s.a
      .post('/v1/tasks')
      .set('Idempotency-Key', 'k1')
      .send({ coroutine: 'seed.func-a', input: { n: 1 } })
      .expect(201);
    const other = await s.a
      .post('/v1/tasks')
      .set('Idempotency-Key', 'k1')
      .send({ coroutine: 'seed.func-a', input: { n: 2 } });
    expect(other.status).toBe(422);
    expect(JSON.stringify(other.body)).toContain('Idempotency-Key');
    await onTime();
  });

  it('a task that stored a huge trace answers its read in a bounded size', async () => {
    const onTime = await s.bystander();
    const blob = 'y'.repeat(300_000);
    const done = await run(
      s.a,
      [
        {
          each: { for: { in: '${ [range(0; 20)] }' }, do: [{ keep: { set: { blob: '${ $workflow.input.blob }' } } }] },
        },
      ],
      {},
      { blob },
    );
    expect(done.status).toBe('completed');
    const res = await s.a.get(`/v1/tasks/${done.id}`).expect(200);
    expect(JSON.stringify(res.body).length).toBeLessThan(1.5 * 1024 * 1024);
    await onTime();
  });
});
