import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@yieldflow/contracts';
import type { Json } from '@yieldflow/runtime';
import { createApp } from '../../apps/api/src/create-app';
import { Redactor } from '../../apps/worker/src/redaction';
import { type Body, dropPrefix, REDIS_URL, testConfig } from '../support/redis';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey, until } from './support';

const doc = (name: string, tasks: object[]) => ({
  document: { dsl: '1.0.3', namespace: 'sec', name, version: '1.0.0' },
  do: tasks,
});
/** A definition that declares the secrets it uses (use.secrets). */
const withSecrets = (names: string[], d: ReturnType<typeof doc>) => ({ ...d, use: { secrets: names } });

describe('limits, each a clear 4xx naming it', () => {
  let s: Stack;
  const admin = newAdminKey();
  beforeAll(async () => {
    s = await startStack({
      env: {
        ADMIN_KEY: admin,
        LIMIT_BODY_BYTES: '4096',
        LIMIT_BATCH_TASKS: '3',
        LIMIT_EVENT_BYTES: '512',
        LIMIT_SLEEP_MS: '500',
      },
    });
  });
  afterAll(() => s.close());
  const a = () => as(s, admin);

  it('request body size (LIMIT_BODY_BYTES): 413', async () => {
    const res = await a()
      .post('/v1/tasks')
      .send({ coroutine: 'seed.func-b', input: 'x'.repeat(5000) })
      .expect(413);
    expect(res.body.message).toMatch(/^the body is \d+ bytes; at most 4096 \(LIMIT_BODY_BYTES\)$/);
  });

  it('tasks per batch (LIMIT_BATCH_TASKS): 400', async () => {
    const res = await a()
      .post('/v1/batches')
      .send({ tasks: Array(4).fill({ coroutine: 'seed.func-b' }) })
      .expect(400);
    expect(res.body.message).toBe('tasks holds 4 tasks; at most 3 per batch (LIMIT_BATCH_TASKS)');
  });

  it('event payload size (LIMIT_EVENT_BYTES): 413', async () => {
    const res = await a()
      .post('/v1/events')
      .send({ type: 'com.big', source: 's', data: 'x'.repeat(600) })
      .expect(413);
    expect(res.body.message).toMatch(/^the event is \d+ bytes; at most 512 \(LIMIT_EVENT_BYTES\)$/);
  });

  it('definition nesting depth: 400 naming the limit', async () => {
    let deep: Json = { v: 1 };
    for (let i = 0; i < 70; i++) deep = { n: deep };
    const res = await a()
      .post('/v1/definitions')
      .send(doc('deep', [{ s: { set: deep } }]));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/depth|deep|nest/i);
    expect(res.body.message).toMatch(/64/);
  });

  it('a DSL wait or timeout longer than LIMIT_SLEEP_MS: 400 naming the field', async () => {
    let res = await a()
      .post('/v1/tasks')
      .send({ definition: doc('long-wait', [{ nap: { wait: 'PT1S' } }]) })
      .expect(400);
    expect(res.body.message).toBe('definition /do/0/nap/wait is 1000 ms; at most 500 ms (LIMIT_SLEEP_MS)');
    res = await a()
      .post('/v1/definitions')
      .send(doc('long-timeout', [{ nap: { wait: { milliseconds: 100 }, timeout: { after: { minutes: 1 } } } }]))
      .expect(400);
    expect(res.body.message).toBe('definition /do/0/nap/timeout/after is 60000 ms; at most 500 ms (LIMIT_SLEEP_MS)');
    res = await a()
      .post('/v1/batches')
      .send({ tasks: [{ coroutine: 'seed.func-b' }, { definition: doc('w', [{ nap: { wait: 'PT2S' } }]) }] })
      .expect(400);
    expect(res.body.message).toBe('tasks[1]: definition /do/0/nap/wait is 2000 ms; at most 500 ms (LIMIT_SLEEP_MS)');
    await a()
      .post('/v1/tasks')
      .send({ definition: doc('short-wait', [{ nap: { wait: { milliseconds: 200 } } }]) })
      .expect(201);
  });

  it("a coroutine's sleep longer than LIMIT_SLEEP_MS faults the task with a clear error", async () => {
    const t = await a().post('/v1/tasks').send({ coroutine: 'seed.func-b' }).expect(201); // sleeps 3 s
    const done = await until(s, admin, t.body.id, ['faulted', 'completed']);
    expect(done.status).toBe('faulted');
    expect(done.error).toMatchObject({ status: 400, title: 'Limit exceeded' });
    expect(done.error.detail).toBe(
      'sleep: a sleep of 3000 ms is longer than the 500 ms a task may wait (LIMIT_SLEEP_MS)',
    );
  });

  it('an expression over its time or memory budget faults the task, saying so', async () => {
    const t = await a()
      .post('/v1/tasks')
      .send({ definition: doc('spin', [{ spin: { set: { n: '${ last(range(0; 1000000000000)) }' } } }]) })
      .expect(201);
    const done = await until(s, admin, t.body.id, ['faulted', 'completed'], 20_000);
    expect(done.status).toBe('faulted');
    expect(JSON.stringify(done.error)).toMatch(/exceeded its limit of \d+ ms \(or \d+ MiB of memory\)/);
  }, 30_000);
});

describe('rate limits per key', () => {
  const admin = newAdminKey();
  const config = testConfig({ partitions: 4 }, { ADMIN_KEY: admin, RATE_LIMIT_PER_MINUTE: '5' });
  let apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await dropPrefix(config.prefix);
  });

  it('hold across two api processes on one Redis: the 6th request in a minute is a 429 with Retry-After', async () => {
    apps = [await createApp(config, { logLevel: 'silent' }), await createApp(config, { logLevel: 'silent' })];
    await Promise.all(apps.map((a) => a.init()));
    const [one, two] = apps.map((a) => request(a.getHttpServer()));
    const created = await one
      .post('/v1/keys')
      .set('Authorization', `Bearer ${admin}`)
      .send({ namespace: 'acme', role: 'viewer', name: 'rl' })
      .expect(201);
    const token = created.body.token;
    // keep the five requests and the sixth in one window of the minute
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
    for (const http of [one, two, one, two, one])
      await http.get('/v1/tasks').set('Authorization', `Bearer ${token}`).expect(200);
    const res = await two.get('/v1/tasks').set('Authorization', `Bearer ${token}`).expect(429);
    expect(res.body.message).toMatch(/more than 5 requests this minute \(RATE_LIMIT_PER_MINUTE\)/);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // another key has its own count
    const other = await two
      .post('/v1/keys')
      .set('Authorization', `Bearer ${admin}`)
      .send({ namespace: 'acme', role: 'viewer', name: 'rl2' })
      .expect(201);
    await one.get('/v1/tasks').set('Authorization', `Bearer ${other.body.token}`).expect(200);
  });
});

describe('secrets', () => {
  const secret = 'sk-Live-7f3A9c1E5b';
  const otherSecret = 'sk-other-41c8e2d0aa';
  const rivalSecret = 'rv-Key-90ab12cd34';
  const admin = newAdminKey();
  let s: Stack;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url!.startsWith('/echo'))
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ url: req.url, auth: req.headers.authorization }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    s = await startStack({
      env: {
        ADMIN_KEY: admin,
        HTTP_ALLOW: '127.0.0.1',
        SECRETS: JSON.stringify({ acme: { apiKey: secret, other: otherSecret }, rival: { apiKey: rivalSecret } }),
      },
    });
  });
  afterAll(async () => {
    await s.close();
    await new Promise((r) => server.close(r));
  });

  /** Every value under the stack's prefix, as one string. */
  async function everything(): Promise<string> {
    const r = new Redis(REDIS_URL);
    const out: string[] = [];
    try {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${s.config.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) {
          const type = await r.type(k);
          if (type === 'string') out.push((await r.get(k)) ?? '');
          else if (type === 'hash') out.push(JSON.stringify(await r.hgetall(k)));
          else if (type === 'list') out.push(JSON.stringify(await r.lrange(k, 0, -1)));
          else if (type === 'set') out.push(JSON.stringify(await r.smembers(k)));
          else if (type === 'zset') out.push(JSON.stringify(await r.zrange(k, 0, -1)));
          out.push(k);
        }
      } while (cursor !== '0');
    } finally {
      r.disconnect();
    }
    return out.join('\n');
  }

  it('never appear in the stored task: output, error, trace, journal, or what the api shows', async () => {
    const submitter = await keyFor(s, admin, 'acme', 'submitter');
    const uses = withSecrets(
      ['apiKey'],
      doc('uses-secret', [
        {
          call1: {
            call: 'http',
            with: {
              method: 'get',
              endpoint: `\${ "http://127.0.0.1:${port}/echo?k=" + $secrets.apiKey }`,
              headers: { authorization: '${ "Bearer " + $secrets.apiKey }' },
            },
          },
        },
        {
          keep: {
            set: { echoed: '${ . }', direct: '${ $secrets.apiKey }', inText: '${ "key=" + $secrets.apiKey + ";" }' },
          },
        },
      ]),
    );
    const ok = await as(s, submitter).post('/v1/tasks').send({ definition: uses }).expect(201);
    const done = await until(s, submitter, ok.body.id, ['completed', 'faulted']);
    expect(done.status).toBe('completed');
    expect(done.output.direct).toBe('[redacted]');
    expect(done.output.inText).toBe('key=[redacted];');
    expect(JSON.stringify(done)).not.toContain(secret);

    // a failing call whose error message carries the URL
    const fails = withSecrets(
      ['apiKey'],
      doc('fails-with-secret', [
        {
          call1: {
            call: 'http',
            with: { method: 'get', endpoint: `\${ "http://127.0.0.1:${port}/missing/" + $secrets.apiKey }` },
          },
        },
      ]),
    );
    const bad = await as(s, submitter).post('/v1/tasks').send({ definition: fails }).expect(201);
    const faulted = await until(s, submitter, bad.body.id, ['completed', 'faulted']);
    expect(faulted.status).toBe('faulted');
    expect(JSON.stringify(faulted.error)).toContain('[redacted]');
    expect(JSON.stringify(faulted)).not.toContain(secret);

    const stored = await everything();
    expect(stored).toContain(ok.body.id);
    expect(stored).not.toContain(secret);
  });

  it('the effect a worker still has to perform is stored sealed, and a forged mark opens nothing', () => {
    const r = new Redactor({ acme: { apiKey: secret, nested: { pin: 'abcd1234' } } });
    const effect = {
      kind: 'http',
      request: { url: `http://x/?k=${secret}&forged=[redacted:acme.apiKey]`, headers: { a: 'abcd1234' } },
    };
    const sealed = r.seal(effect);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain('abcd1234');
    expect(r.unseal<Json>(sealed)).toEqual({
      kind: 'http',
      request: { url: `http://x/?k=${secret}&forged=[redacted]`, headers: { a: 'abcd1234' } },
    });
    expect(r.text(JSON.stringify({ out: `a${secret}b`, [secret]: 1 }))).toBe('{"out":"a[redacted]b","[redacted]":1}');
    expect(new Redactor({}).text('{"a":1}')).toBe('{"a":1}');
  });

  /** Forms of a value that would give it back: itself in any case, base64 (both alphabets, any padding), hex. */
  const recoverable = (v: string): string[] => {
    const b64 = Buffer.from(v).toString('base64').replace(/=+$/, '');
    const hex = Buffer.from(v).toString('hex');
    return [v.toLowerCase(), b64, b64.replace(/\+/g, '-').replace(/\//g, '_'), hex];
  };
  const expectNone = (text: string, values: string[]) => {
    for (const v of values)
      for (const f of recoverable(v)) expect(text.toLowerCase().includes(f.toLowerCase()) ? f : null).toBeNull();
  };
  async function run(token: string, definition: object): Promise<Body> {
    const res = await as(s, token).post('/v1/tasks').send({ definition }).expect(201);
    return until(s, token, res.body.id, ['completed', 'faulted']);
  }

  it("are only the namespace's own, only those the definition declares, and encoded forms are redacted", async () => {
    const acme = await keyFor(s, admin, 'acme', 'submitter', 'acme-bypass');
    const rival = await keyFor(s, admin, 'rival', 'submitter');
    const hex = '[explode[] | ((. / 16 | floor), . % 16) | "0123456789abcdef"[.:. + 1]] | add';
    const bypasses = withSecrets(
      ['apiKey', 'missing'],
      doc('bypasses', [
        {
          a: {
            set: {
              b64: '${ $secrets.apiKey | @base64 }',
              b64d: '${ $secrets.apiKey | @base64 | @base64d }',
              b64url: '${ $secrets.apiKey | @base64 | gsub("[+]"; "-") | gsub("/"; "_") | rtrimstr("=") }',
              names: '${ $secrets | keys }',
              exploded: '${ $secrets.apiKey | explode }',
              lower: '${ $secrets.apiKey | ascii_downcase }',
              upper: '${ $secrets.apiKey | ascii_upcase }',
              hex: `\${ $secrets.apiKey | ${hex} }`,
              uri: '${ $secrets.apiKey | @uri }',
              undeclared: '${ $secrets.other }',
            },
          },
        },
        { b: { wait: { milliseconds: 50 } } },
        { c: { set: { kept: '${ . }', wrapped: '${ ("Bearer " + $secrets.apiKey) | @base64 }' } } },
      ]),
    );
    const done = await run(acme, bypasses);
    expect([done.status, done.error]).toEqual(['completed', undefined]);
    const out = done.output.kept;
    expect(out).toEqual({
      b64: '[redacted]',
      b64d: '[redacted]',
      b64url: '[redacted]',
      names: ['apiKey'],
      exploded: '[redacted]',
      lower: '[redacted]',
      upper: '[redacted]',
      hex: '[redacted]',
      uri: '[redacted]',
      undeclared: null,
    });
    expect(done.output.wrapped).toMatch(/^QmVhcmVy[A-Za-z0-9+/]{0,2}\[redacted\][A-Za-z0-9+/=]{0,4}$/);
    expectNone(JSON.stringify(done), [secret, otherSecret, rivalSecret]);

    // a definition that declares nothing sees nothing
    const none = await run(
      acme,
      doc('declares-none', [
        {
          a: { set: { names: '${ $secrets | keys }', key: '${ $secrets.apiKey }', text: '${ $secrets | tostring }' } },
        },
      ]),
    );
    expect(none.output).toEqual({ names: [], key: null, text: '{}' });

    // another namespace, declaring the same name, gets its own secret: what it can spell out (a shifted
    // copy is beyond any redaction, as the docs say) is its own, never acme's
    const shifted = await run(
      rival,
      withSecrets(
        ['apiKey', 'other'],
        doc('rival', [
          {
            a: {
              set: {
                names: '${ $secrets | keys }',
                shifted: '${ $secrets.apiKey | explode | map(. + 1) | implode }',
                direct: '${ $secrets.apiKey }',
              },
            },
          },
        ]),
      ),
    );
    expect(shifted.status).toBe('completed');
    expect(shifted.output.names).toEqual(['apiKey']);
    expect(shifted.output.direct).toBe('[redacted]');
    expect(String.fromCodePoint(...[...(shifted.output.shifted as string)].map((c) => c.codePointAt(0)! - 1))).toBe(
      rivalSecret,
    );
    expectNone(JSON.stringify(shifted), [secret, otherSecret]);

    expectNone(await everything(), [secret, otherSecret]);
  }, 20_000);

  it("redact a task's output with its own namespace's secrets only: no one can test a guess at another's", async () => {
    const rival = await keyFor(s, admin, 'rival', 'submitter', 'rival-guess');
    const res = await as(s, rival)
      .post('/v1/tasks')
      .send({
        definition: JSON.stringify(doc('guess', [{ a: { set: { echo: '${ $workflow.input.guess }' } } }])),
        input: { guess: secret },
      })
      .expect(201);
    const done = await until(s, rival, res.body.id, ['completed', 'faulted']);
    expect(done.output).toEqual({ echo: secret }); // acme's secret is not rival's to have redacted
  });
});

describe('SECRETS', () => {
  it('maps each namespace to its secrets', () => {
    expect(loadConfig({ SECRETS: '{"default":{"apiKey":"k1"},"acme":{"db":{"password":"p"}}}' }).secrets).toEqual({
      default: { apiKey: 'k1' },
      acme: { db: { password: 'p' } },
    });
    expect(loadConfig({}).secrets).toEqual({});
  });

  it('in the old flat shape is refused, naming SECRETS and showing the new shape', () => {
    expect(() => loadConfig({ SECRETS: '{"apiKey":"k1"}' })).toThrow(
      `SECRETS must map each namespace to an object of its secrets, e.g. {"default":{"apiKey":"..."},"acme":{"token":"..."}}; 'apiKey' holds a string (the flat shape {"name":"value"} is no longer read: put the secrets under their namespace)`,
    );
    expect(() => loadConfig({ SECRETS: '["k1"]' })).toThrow(/^SECRETS must be a JSON object mapping each namespace/);
    expect(() => loadConfig({ SECRETS: 'nope' })).toThrow(/^SECRETS .*it is not JSON$/);
  });
});
