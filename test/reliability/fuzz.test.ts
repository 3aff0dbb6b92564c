import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/redis';

/**
 * Property-based fuzzing of every endpoint with random and malformed bodies, definitions, jq expressions,
 * events, ids, queries and headers: every answer is below 500 (a 4xx, or a 2xx when the input happens to
 * be valid), the api never falls over, and tasks that were running before the fuzzing finish normally.
 * Fixed seeds and bounded runs: the same few thousand requests on every run.
 */
describe('fuzzing every endpoint', () => {
  let s: Stack;
  const answers = new Map<string, number>(); // "<endpoint> <status>" → count
  let total = 0;

  beforeAll(async () => {
    s = await startStack({ workers: 1, env: { SEND_WAIT_MS: '500' } });
  });
  afterAll(async () => {
    await s?.close();
    const summary = [...answers.entries()].sort().map(([k, n]) => `${k}: ${n}`);
    console.log(`fuzzing: ${total} requests\n${summary.join('\n')}`);
  });

  const created: string[] = [];
  const below500 = (endpoint: string, res: Response): void => {
    total++;
    if (res.status === 201 && typeof res.body?.id === 'string' && endpoint.startsWith('POST /v1/tasks'))
      created.push(res.body.id);
    if (res.status === 201 && Array.isArray(res.body?.taskIds)) created.push(...(res.body.taskIds as string[]));
    const k = `${endpoint} ${res.status}`;
    answers.set(k, (answers.get(k) ?? 0) + 1);
    if (res.status >= 500 || res.status < 200) {
      throw new Error(`${endpoint} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  };
  /** Each property runs while a seed.func-a task of its own (3 s of sleeps) is running. */
  /** Any JSON value as a body (supertest's send() takes objects and strings only). */
  const sendJson = (req: ReturnType<Stack['http']['post']>, body: unknown) =>
    body === undefined ? req : req.set('content-type', 'application/json').send(JSON.stringify(body));
  const run = async <T>(arb: fc.Arbitrary<T>, numRuns: number, seed: number, check: (v: T) => Promise<void>) => {
    protectedIds.funcA.push((await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-a' }).expect(201)).body.id);
    await fc.assert(fc.asyncProperty(arb, check), { numRuns, seed, endOnFailure: false });
  };

  // ---- generators ------------------------------------------------------------------------------------
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  const headerText = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 0,
    maxLength: 300,
  });
  const json = fc.jsonValue({ maxDepth: 3 });
  const weird = fc.oneof(
    json,
    fc.constantFrom<unknown>(
      JSON.parse('{"__proto__":{"polluted":1}}'),
      { constructor: { prototype: { x: 1 } } },
      1e308,
      -0,
      '',
      [],
      {},
      [[[[[]]]]],
      'x'.repeat(5000),
    ),
  );
  const idLike = fc.oneof(
    text,
    fc.constantFrom(
      '',
      '.',
      '..',
      '%',
      '%00',
      'a/b',
      '\u0000',
      'x'.repeat(500),
      '0000000000000000',
      'AAAAAAAAAAAAAAAA',
    ),
  );
  const expr = fc.oneof(
    text.map((t) => `\${ ${t} }`),
    fc.constantFrom(
      '${ . }',
      '${ .a.b.c }',
      '${ $input }',
      '${ $context }',
      '${ $secrets.x }',
      '${ [limit(100000; repeat(1))] | length }',
      '${ def f: f; f }',
      '${ "x" * 1000 }',
      '${ [range(0; 100000000)] | length }',
      '${ "x" * 100000000 }',
      '${ error("boom") }',
      '${ .[] }',
      '${ limit(-1; .) }',
      '${ input }',
      '${ env }',
      '${ $__loc__ }',
      '${ tojson | fromjson | fromjson }',
      '${ 1 / 0 }',
      '${ [.[]?] }',
      '${ ascii_downcase }',
      '${ @base64d }',
      '${ now }',
      '${',
      '}',
      '${}',
      '${ $workflow.definition }',
      '${ "\\(.)" }',
      '${ reduce range(0;1e9) as $i (0; .+$i) }',
      '${ path(..) }',
      '${ getpath(["a"]) = 1 }',
    ),
  );
  const duration = fc.oneof(
    fc.constantFrom('PT0S', 'PT0.01S', 'PT1S', 'P1D', 'PT-1S', 'P99999Y', 'PTXS', '', 'PT'),
    fc.record(
      {
        milliseconds: fc.oneof(fc.integer(), fc.double()),
        seconds: fc.integer(),
        days: fc.integer({ min: -5, max: 5 }),
      },
      { requiredKeys: [] },
    ),
    text,
  );
  const name = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), text);
  const taskDef: fc.Memo<unknown> = fc.memo((n) => {
    const nested =
      n > 1
        ? fc.array(fc.dictionary(name, taskDef(n - 1), { minKeys: 1, maxKeys: 1 }), { maxLength: 3 })
        : fc.constant([]);
    return fc.oneof(
      fc.record({ set: fc.oneof(fc.dictionary(name, fc.oneof(expr, json), { maxKeys: 3 }), expr) }),
      fc.record({ wait: duration }),
      fc.record({
        raise: fc.record({
          error: fc.record(
            { type: fc.oneof(fc.webUrl(), text), status: fc.integer(), title: text },
            { requiredKeys: [] },
          ),
        }),
      }),
      fc.record({
        call: fc.constantFrom('http', 'grpc', 'openapi', 'asyncapi', 'unknown'),
        with: fc.record(
          { method: fc.constantFrom('get', 'post', 'x'), endpoint: fc.oneof(fc.webUrl(), text, expr) },
          { requiredKeys: [] },
        ),
      }),
      fc.record({ for: fc.record({ each: name, in: expr }, { requiredKeys: [] }), do: nested }),
      fc.record({
        switch: fc.array(
          fc.dictionary(
            name,
            fc.record(
              { when: expr, then: fc.oneof(fc.constantFrom('end', 'continue', 'exit'), name) },
              { requiredKeys: [] },
            ),
            { minKeys: 1, maxKeys: 1 },
          ),
          { maxLength: 3 },
        ),
      }),
      fc.record({
        try: nested,
        catch: fc.record(
          { errors: fc.record({ with: fc.dictionary(name, text) }), as: name, do: nested },
          { requiredKeys: [] },
        ),
      }),
      fc.record({ fork: fc.record({ branches: nested, compete: fc.boolean() }, { requiredKeys: [] }) }),
      fc.record({ listen: fc.record({ to: fc.record({ one: fc.record({ with: fc.record({ type: text }) }) }) }) }),
      fc.record({
        emit: fc.record({
          event: fc.record({
            with: fc.record({ type: text, source: text, data: fc.oneof(expr, json) }, { requiredKeys: [] }),
          }),
        }),
      }),
      fc.record(
        {
          do: nested,
          if: expr,
          output: fc.record({ as: expr }),
          export: fc.record({ as: expr }),
          input: fc.record({ from: expr }),
        },
        { requiredKeys: ['do'] },
      ),
      weird,
    );
  });
  const definition = fc.record(
    {
      document: fc.record(
        {
          dsl: fc.oneof(fc.constantFrom('1.0.3', '1.0.0', '0.8', '1.0.3-alpha'), text),
          namespace: fc.oneof(fc.constant('fuzz'), name),
          name: fc.oneof(fc.constant('f'), name),
          version: fc.oneof(fc.constantFrom('1.0.0', '0.0.1'), text),
        },
        { requiredKeys: [] },
      ),
      do: fc.oneof(fc.array(fc.dictionary(name, taskDef(3), { minKeys: 1, maxKeys: 1 }), { maxLength: 4 }), weird),
      input: fc.record(
        { schema: fc.record({ format: fc.constantFrom('json', 'avro'), document: weird }), from: expr },
        { requiredKeys: [] },
      ),
      output: fc.record({ as: expr }, { requiredKeys: [] }),
      timeout: fc.record({ after: duration }),
      use: fc.record({ functions: fc.dictionary(name, taskDef(1)), secrets: fc.array(text) }, { requiredKeys: [] }),
      schedule: fc.record({ every: duration, cron: text }, { requiredKeys: [] }),
    },
    { requiredKeys: ['document', 'do'] },
  );
  // well-formed documents whose tasks carry random expressions and values: these pass validation and run
  const taskName = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  const shortWait = fc.constantFrom('PT0S', 'PT0.01S', 'PT0.05S');
  const runnable: fc.Memo<Record<string, unknown>> = fc.memo((n) => {
    const list =
      n > 1
        ? fc.array(fc.dictionary(taskName, runnable(n - 1), { minKeys: 1, maxKeys: 1 }), { minLength: 1, maxLength: 3 })
        : fc.constant([{ s: { set: { a: 1 } } }]);
    return fc.oneof(
      fc.record({ set: fc.dictionary(taskName, fc.oneof(expr, json), { minKeys: 1, maxKeys: 3 }) }),
      fc.record({ wait: shortWait }),
      fc.record({
        raise: fc.record({
          error: fc.record({
            type: fc.constantFrom(
              'https://example.com/errors/x',
              'https://serverlessworkflow.io/spec/1.0.0/errors/validation',
            ),
            status: fc.integer({ min: 100, max: 599 }),
            title: fc.oneof(text, expr),
          }),
        }),
      }),
      fc.record({ for: fc.record({ each: taskName, in: expr }), do: list }),
      fc.record({
        switch: fc.array(
          fc.dictionary(taskName, fc.record({ when: expr, then: fc.constantFrom('end', 'continue', 'exit') }), {
            minKeys: 1,
            maxKeys: 1,
          }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      fc.record({ try: list, catch: fc.record({ as: taskName, do: list }) }),
      fc.record({ do: list, if: expr }),
      fc.record({ do: list, output: fc.record({ as: expr }) }),
      fc.record({ do: list, input: fc.record({ from: expr }) }),
      fc.record({ do: list, export: fc.record({ as: expr }) }),
      fc.record({
        emit: fc.record({
          event: fc.record({
            with: fc.record({
              type: fc.constant('fuzz.emitted'),
              source: fc.constant('https://fuzz'),
              data: fc.oneof(expr, json),
            }),
          }),
        }),
      }),
      fc.record({ fork: fc.record({ branches: list, compete: fc.boolean() }) }),
    );
  });
  const runnableDefinition = fc.record({
    document: fc.record({
      dsl: fc.constant('1.0.3'),
      namespace: fc.constant('fuzz'),
      name: taskName,
      version: fc.constantFrom('1.0.0', '1.0.1', '2.0.0'),
    }),
    do: fc.array(fc.dictionary(taskName, runnable(3), { minKeys: 1, maxKeys: 1 }), { minLength: 1, maxLength: 4 }),
  });
  // a YAML rendering of sorts: valid YAML, broken YAML, and JSON
  const yamlText = fc.oneof(
    definition.map((d) => JSON.stringify(d)),
    fc.constantFrom(
      'document: {dsl: 1.0.3\n',
      'a: b: c',
      '- - -',
      '&a [*a]',
      'x: !!js/function "function(){}"',
      '{',
      ': :',
      '\t\tdo:',
      'a: &x {b: *x}',
      'x: [' + '['.repeat(2000),
      readFileSync(join(__dirname, '..', '..', 'examples', 'seed-func-a.yaml'), 'utf8').replace('PT1S', '${ . }'),
    ),
    text,
  );
  const coroutines = [
    'seed.func-a',
    'seed.func-b',
    'seed.consumer',
    'seed.num',
    'seed.interleave-a',
    'demo.sleep-call',
  ];
  const taskBody = fc.oneof(
    fc.record({
      coroutine: fc.constantFrom(...coroutines),
      input: fc.oneof(
        weird,
        fc.record({
          url: fc.constantFrom(
            'http://169.254.169.254/',
            'http://127.0.0.1:1/',
            'file:///etc/passwd',
            'http://[::1]/',
            'http://0x7f.1/',
          ),
          ms: fc.integer({ min: -10, max: 50 }),
        }),
      ),
    }),
    fc.record({ definition: runnableDefinition, input: weird }, { requiredKeys: ['definition'] }),
    fc.record({ definition: runnableDefinition.map((d) => JSON.stringify(d)) }),
    fc.record(
      {
        definitionRef: fc.record(
          {
            namespace: fc.constant('fuzz'),
            name: taskName,
            version: fc.option(fc.constantFrom('1.0.0', '2.0.0'), { nil: undefined }),
          },
          { requiredKeys: ['name'] },
        ),
        input: weird,
      },
      { requiredKeys: ['definitionRef'] },
    ),
    fc.record(
      {
        coroutine: fc.oneof(fc.constantFrom(...coroutines), text, weird),
        definition: fc.oneof(definition, yamlText, weird),
        definitionRef: fc.oneof(
          fc.record(
            {
              namespace: fc.oneof(fc.constant('fuzz'), text),
              name: fc.oneof(fc.constant('f'), text),
              version: fc.oneof(text, weird),
            },
            { requiredKeys: [] },
          ),
          weird,
        ),
        input: fc.oneof(
          weird,
          fc.record(
            {
              url: fc.oneof(
                fc.webUrl(),
                text,
                fc.constantFrom('http://169.254.169.254/', 'http://127.0.0.1:1/', 'file:///etc/passwd'),
              ),
              ms: fc.oneof(fc.integer(), fc.double()),
            },
            { requiredKeys: [] },
          ),
        ),
        extra: weird,
      },
      { requiredKeys: [] },
    ),
    weird,
  );
  const malformed = fc.oneof(
    text,
    fc.constantFrom(
      '{',
      '{"coroutine":',
      '[1,2',
      '{"a":1}}',
      'nul',
      '"\\ud800"',
      '{"coroutine":"seed.func-a",}',
      '\u0000',
      '1e99999',
      '{"__proto__":{"x":1}}',
      '{"a":' + '['.repeat(5000),
    ),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/yaml',
    'text/plain',
    'text/yaml',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'image/png',
    '',
  );

  // ---- the tasks that must not notice -----------------------------------------------------------------
  let protectedIds: { funcA: string[]; consumers: string[]; workflow: string };
  let victims: string[];
  beforeAll(async () => {
    const post = (body: object) =>
      s.http
        .post('/v1/tasks')
        .send(body)
        .expect(201)
        .then((r) => r.body.id as string);
    const funcA: string[] = [];
    for (let i = 0; i < 10; i++) funcA.push(await post({ coroutine: 'seed.func-a' }));
    const consumers: string[] = [];
    for (let i = 0; i < 3; i++) consumers.push(await post({ coroutine: 'seed.consumer' }));
    const workflow = await post({
      definition: readFileSync(join(__dirname, '..', '..', 'examples', 'seed-func-a.yaml'), 'utf8'),
    });
    protectedIds = { funcA, consumers, workflow };
    // tasks the fuzzing may send to and cancel
    victims = [];
    for (let i = 0; i < 5; i++) victims.push(await post({ coroutine: i % 2 ? 'seed.num' : 'seed.consumer' }));
    for (const id of consumers) await s.until(id, ['suspended']);
  });

  // ---- the properties ---------------------------------------------------------------------------------
  it('POST /v1/tasks: random bodies, definitions, expressions and keys', async () => {
    await run(fc.tuple(taskBody, fc.option(headerText, { nil: undefined })), 700, 1, async ([body, key]) => {
      const req = s.http.post('/v1/tasks');
      if (key !== undefined) req.set('idempotency-key', key);
      below500('POST /v1/tasks', await sendJson(req, body));
    });
  }, 120_000);

  it('malformed and mistyped bodies, on every POST', async () => {
    const paths = fc.constantFrom(
      '/v1/tasks',
      '/v1/batches',
      '/v1/events',
      '/v1/definitions',
      '/v1/tasks/x/send',
      '/v1/tasks/x/cancel',
    );
    const encoding = fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'x-unknown', 'identity', 'gzip, gzip');
    await run(fc.tuple(paths, malformed, contentType, encoding), 500, 2, async ([path, body, type, enc]) => {
      const req = s.http.post(path);
      if (type) req.set('content-type', type);
      if (enc) req.set('content-encoding', enc);
      below500(`POST ${path.replace('/x/', '/:id/')} (raw)`, await req.send(body));
    });
  }, 120_000);

  it('POST /v1/definitions: random and YAML documents', async () => {
    await run(
      fc.oneof(
        definition.map((d) => ({ d, yaml: false })),
        runnableDefinition.map((d) => ({ d, yaml: false })),
        yamlText.map((d) => ({ d, yaml: true })),
      ),
      600,
      3,
      async ({ d, yaml }) => {
        const req = s.http.post('/v1/definitions');
        below500(
          'POST /v1/definitions',
          await (yaml ? req.set('content-type', 'application/yaml').send(String(d)) : sendJson(req, d)),
        );
      },
    );
  }, 120_000);

  it('POST /v1/batches: random task lists', async () => {
    const batch = fc.oneof(
      fc.record({ tasks: fc.oneof(fc.array(taskBody, { maxLength: 5 }), weird) }, { requiredKeys: [] }),
      weird,
    );
    await run(batch, 250, 4, async (body) =>
      below500('POST /v1/batches', await sendJson(s.http.post('/v1/batches'), body)),
    );
  }, 120_000);

  it('POST /v1/events: random CloudEvents', async () => {
    const event = fc.oneof(
      fc.record(
        {
          type: fc.oneof(text, fc.constantFrom('io.yieldflow.seed.produce', 'a*', 'a b')),
          source: fc.oneof(text, weird),
          id: fc.oneof(text, weird),
          subject: text,
          time: fc.oneof(
            text,
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
          specversion: fc.oneof(fc.constant('1.0'), text),
          datacontenttype: text,
          data: weird,
          extra: weird,
        },
        { requiredKeys: [] },
      ),
      weird,
    );
    await run(event, 400, 5, async (body) =>
      below500('POST /v1/events', await sendJson(s.http.post('/v1/events'), body)),
    );
  }, 120_000);

  it('send and cancel: random ids and values, and tasks of the fuzzing', async () => {
    const target = fc.oneof(idLike, fc.constantFrom(...victims));
    await run(
      fc.tuple(fc.boolean(), target, fc.oneof(fc.record({ value: weird }, { requiredKeys: [] }), weird)),
      300,
      6,
      async ([cancel, id, body]) => {
        const path = `/v1/tasks/${encodeURIComponent(id)}/${cancel ? 'cancel' : 'send'}`;
        below500(`POST /v1/tasks/:id/${cancel ? 'cancel' : 'send'}`, await sendJson(s.http.post(path), body));
      },
    );
  }, 120_000);

  it('reads: random ids, paths and queries', async () => {
    const query = fc.dictionary(
      fc.constantFrom('status', 'limit', 'cursor', 'batchId', 'x', 'limit[]', 'status[0]', '__proto__'),
      fc.oneof(text, fc.integer().map(String)),
      { maxKeys: 4 },
    );
    const read = fc.oneof(
      fc.tuple(fc.constant('/v1/tasks'), query),
      fc.tuple(
        idLike.map((id) => `/v1/tasks/${encodeURIComponent(id)}`),
        fc.constant({}),
      ),
      fc.tuple(
        idLike.map((id) => `/v1/batches/${encodeURIComponent(id)}`),
        fc.constant({}),
      ),
      fc.tuple(
        fc
          .tuple(idLike, idLike, fc.option(idLike))
          .map(
            ([a, b, c]) => `/v1/definitions/${[a, b, ...(c === null ? [] : [c])].map(encodeURIComponent).join('/')}`,
          ),
        fc.constant({}),
      ),
      fc.tuple(
        fc.constantFrom(
          '/v1/definitions',
          '/metrics',
          '/health',
          '/v1/tasks/',
          '/v1//tasks',
          '/v1/tasks/%',
          '/v1/tasks/%E0%A4%A',
        ),
        fc.constant({}),
      ),
    );
    await run(read, 400, 7, async ([path, q]) => {
      const qs = Object.entries(q as Record<string, string>)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&');
      const res = await s.http.get(qs ? `${path}?${qs}` : path);
      // /health is 503 only when no worker is alive, which is not the case here
      below500(
        `GET ${path.startsWith('/v1/tasks?') || path === '/v1/tasks' ? '/v1/tasks?' : path.replace(/\/v1\/(tasks|batches|definitions)\/.*/, '/v1/$1/:id')}`,
        res,
      );
    });
  }, 120_000);

  // one huge allocation in an expression ('"x" * 100000000') once aborted the whole process from the jq
  // worker thread; evaluation now runs in a child process: it must cost the task, not the process
  it('a single huge allocation in an expression costs its task, not the process', () => {
    const script = `
      const { JqEvaluator } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'libs', 'dsl', 'src', 'expressions', 'evaluator.js'))});
      const ev = new JqEvaluator();
      try { ev.evaluate('"x" * 100000000', null, {}); } catch (e) { console.log('stopped: ' + e.message); }
      ev.close();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^stopped: /);
  });

  it('the tasks running before the fuzzing end normally, and the api still answers', async () => {
    expect((await s.http.get('/health')).status).toBe(200);
    for (const id of protectedIds.consumers) {
      expect((await s.http.post(`/v1/tasks/${id}/send`).send({ value: 7 })).body).toMatchObject({
        yielded: '200 OK',
        status: 'suspended',
      });
      expect((await s.http.post(`/v1/tasks/${id}/send`).send({ value: 0 })).body).toMatchObject({
        status: 'completed',
        output: [7],
      });
    }
    let lateMax = 0;
    for (const id of [...protectedIds.funcA, protectedIds.workflow]) {
      const t = await s.until(id, ['completed', 'faulted', 'cancelled'], 30_000);
      expect(t.status).toBe('completed');
      expect(t.output).toBe('a done');
      if (id !== protectedIds.workflow) expect(t.suspensions.map((x) => x.label)).toEqual(['a1', 'a2', 'a3']);
      for (const x of t.suspensions) lateMax = Math.max(lateMax, x.lateMs ?? 0);
    }
    await eventually(async () => ((await s.http.get('/health')).status === 200 ? true : undefined), 5000);
    // and every task the fuzzing got accepted ran to an end or a wait: none is wedged queued or running
    const ended: Record<string, number> = {};
    await eventually(
      async () => {
        for (const k of Object.keys(ended)) delete ended[k];
        for (const id of created) {
          const st = (await s.http.get(`/v1/tasks/${id}`)).body.status as string;
          if (st === 'queued' || st === 'running') return undefined;
          ended[st] = (ended[st] ?? 0) + 1;
        }
        return true;
      },
      20_000,
      250,
    );
    console.log(`fuzzing: ${created.length} tasks accepted from random input, now ${JSON.stringify(ended)}`);
    console.log(`fuzzing: protected tasks completed normally; largest resume lateness ${lateMax} ms`);
  }, 60_000);
});
