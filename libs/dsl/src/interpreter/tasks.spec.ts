import { ERROR_TYPES, Execution, simulate, type HttpRequest, type SpawnEffect } from '@yieldflow/runtime';
import { children, load, runWith, started } from '../testing';

const wf = (body: string, extra = '') =>
  `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\n${extra}do:\n${body}`;

describe('wait', () => {
  it('sleeps ISO 8601 and inline durations, output = input', () => {
    const r = runWith(
      load(
        wf(
          `  - a:\n      wait: PT1S\n  - b:\n      wait:\n        minutes: 1\n        milliseconds: 500\n  - c:\n      wait: P1DT1H`,
        ),
      ),
      { x: 1 },
    );
    expect(r.effects.map((e) => (e.kind === 'sleep' ? e.ms : e.kind))).toEqual([1000, 60_500, 25 * 3600_000]);
    expect(r.outcome).toEqual({ type: 'complete', output: { x: 1 } });
  });
});

describe('task properties', () => {
  it('if skips a task (its raw input is its output) and records it skipped', () => {
    const r = runWith(
      load(
        wf(`  - maybe:\n      if: .go\n      set:\n        done: true\n  - after:\n      set:\n        seen: \${ . }`),
      ),
      { go: false },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { seen: { go: false } } });
    expect(r.trace.map((e) => `${e.task}:${e.phase}`)).toEqual(['maybe:skipped', 'after:started', 'after:completed']);
  });

  it('input.from, output.as and export.as shape data and $context', () => {
    const r = runWith(
      load(
        wf(
          `  - first:\n      input:\n        from: .payload\n      set:\n        n: \${ .n + 1 }\n      output:\n        as: .n\n      export:\n        as: '{ last: . }'\n  - second:\n      set:\n        fromContext: \${ $context.last }\n        input: \${ . }`,
        ),
      ),
      { payload: { n: 1 } },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { fromContext: 2, input: 2 } });
  });

  it('$task, $workflow and $runtime describe the run', () => {
    const r = runWith(
      load(
        wf(
          `  - describe:\n      set:\n        name: \${ $task.name }\n        ref: \${ $task.reference }\n        started: \${ $task.startedAt.epoch.milliseconds }\n        wf: \${ $workflow.id }\n        raw: \${ $workflow.input }\n        rt: \${ $runtime.name }\n        doc: \${ $workflow.definition.document.name }`,
        ),
      ),
      { a: 1 },
    );
    expect(r.outcome).toEqual({
      type: 'complete',
      output: {
        name: 'describe',
        ref: '/do/0/describe',
        started: Date.UTC(2026, 0, 1),
        wf: 'simulated',
        raw: { a: 1 },
        rt: 'yieldflow',
        doc: 't',
      },
    });
  });

  it('$secrets come from the compile options', () => {
    const def = wf(`  - s:\n      set:\n        key: \${ $secrets.api.key }`, `use:\n  secrets: [ api ]\n`);
    expect(runWith(load(def, { secrets: { api: { key: 'k1' } } }), {}).outcome).toEqual({
      type: 'complete',
      output: { key: 'k1' },
    });
    expect(runWith(load(def), { secrets: { api: { key: 'k1' } } }).outcome).toEqual({
      type: 'complete',
      output: { key: null },
    });
  });

  it('a then naming no sibling faults with a configuration error', () => {
    const r = runWith(load(wf(`  - a:\n      set:\n        x: 1\n      then: nowhere`)), {});
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.configuration } });
  });

  it('then: exit leaves the enclosing do only; then: end ends the workflow', () => {
    const r = runWith(
      load(
        wf(
          `  - outer:\n      do:\n        - one:\n            set:\n              a: 1\n            then: exit\n        - skipped:\n            set:\n              b: 2\n  - next:\n      set:\n        c: \${ .a }\n      then: end\n  - never:\n      set:\n        d: 4`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { c: 1 } });
    expect(started(r)).toEqual(['outer', 'one', 'next']);
  });

  it('an expression error faults the task with the expression error type, naming the expression', () => {
    const r = runWith(load(wf(`  - bad:\n      set:\n        x: \${ .a + "s" }`)), { a: 1 });
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.expression, status: 400, instance: '/do/0/bad/set' },
    });
    expect((r.outcome as { error: { detail: string } }).error.detail).toMatch(/\.a \+ "s"/);
  });

  it('a runaway expression faults its task within the limit, and the next run is fine', () => {
    const t = Date.now();
    const r = runWith(load(wf(`  - spin:\n      set:\n        x: \${ [range(1e12)] | length }`)), {});
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.expression, instance: '/do/0/spin/set' },
    });
    expect((r.outcome as { error: { detail: string } }).error.detail).toMatch(/limit of 1000 ms/);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(runWith(load(wf(`  - ok:\n      set:\n        x: \${ 1 + 1 }`)), {}).outcome).toEqual({
      type: 'complete',
      output: { x: 2 },
    });
  });

  it('strings from input data are never evaluated', () => {
    const r = runWith(load(wf(`  - copy:\n      set:\n        v: \${ .v }`)), { v: '${ 1 + 1 }' });
    expect(r.outcome).toEqual({ type: 'complete', output: { v: '${ 1 + 1 }' } });
  });
});

describe('timeouts', () => {
  it('a task that overruns faults with the standard timeout error', () => {
    const r = runWith(load(wf(`  - slow:\n      wait: PT10S\n      timeout:\n        after: PT2S`)), {});
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.timeout, status: 408, instance: '/do/0/slow' },
    });
    expect(r.elapsedMs).toBe(2000);
    expect(r.effects[0]).toMatchObject({ kind: 'sleep', deadline: Date.UTC(2026, 0, 1) + 2000 });
  });

  it('reusable timeouts, and a composite task bounding its children', () => {
    const r = runWith(
      load(
        wf(
          `  - group:\n      timeout: short\n      do:\n        - a:\n            wait: PT1S\n        - b:\n            wait: PT1S`,
          `use:\n  timeouts:\n    short:\n      after:\n        milliseconds: 1500\n`,
        ),
      ),
      {},
    );
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.timeout, instance: '/do/0/group' } });
    expect(r.trace.filter((e) => e.phase === 'faulted').map((e) => e.task)).toEqual(['b', 'group']);
  });

  it('a timeout can be caught', () => {
    const r = runWith(
      load(
        wf(
          `  - guarded:\n      try:\n        - slow:\n            wait: PT1M\n            timeout:\n              after: PT1S\n      catch:\n        errors:\n          with:\n            type: https://serverlessworkflow.io/spec/1.0.0/errors/timeout\n        do:\n          - recover:\n              set:\n                recovered: true`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { recovered: true } });
  });

  // The engine resumes a sleep at its deadline as if it had ended (no timeout error): still a timeout.
  const resumedAtDeadline = (fn: ReturnType<typeof load>) =>
    simulate(fn, {}, (effect, now) => {
      if (effect.kind !== 'sleep') return undefined;
      const end = now + effect.ms;
      return {
        result: null,
        advanceMs: (effect.deadline !== undefined && effect.deadline < end ? effect.deadline : end) - now,
      };
    });

  it('a wait resumed normally at its deadline still times out (task timeout)', () => {
    const r = resumedAtDeadline(
      load(
        wf(
          `  - slow:\n      wait: PT5S\n      timeout:\n        after:\n          milliseconds: 200\n  - after:\n      set:\n        reached: true`,
        ),
      ),
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.timeout, status: 408, instance: '/do/0/slow' },
    });
  });

  it('a wait resumed normally at its deadline still times out (workflow timeout)', () => {
    const r = resumedAtDeadline(
      load(wf(`  - a:\n      wait: PT0.2S\n  - b:\n      wait: PT0.2S`, `timeout:\n  after: PT0.3S\n`)),
    );
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.timeout, status: 408 } });
  });

  it('the workflow timeout', () => {
    const r = runWith(
      load(wf(`  - a:\n      wait: PT1S\n  - b:\n      wait: PT1S`, `timeout:\n  after:\n    seconds: 1\n`)),
      {},
    );
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.timeout, instance: '/' } });
  });
});

describe('workflow input and output', () => {
  const schemaDoc = (body: string) =>
    `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\ninput:\n  schema:\n    format: json\n    document:\n      type: object\n      required: [ order ]\n  from: .order\noutput:\n  as: '{ result: . }'\n  schema:\n    format: json\n    document:\n      type: object\n      required: [ result ]\ndo:\n${body}`;
  it('validates input against input.schema (validation error), then applies input.from and output.as', () => {
    const fn = load(schemaDoc(`  - pass:\n      set: \${ .id }`));
    expect(runWith(fn, { order: { id: 7 } }).outcome).toEqual({ type: 'complete', output: { result: 7 } });
    expect(runWith(fn, { nope: 1 }).outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.validation, status: 400, instance: '/input/schema' },
    });
  });
  it('validates the output against output.schema', () => {
    const fn = load(
      wf(`  - pass:\n      set: \${ 5 }`, `output:\n  schema:\n    format: json\n    document:\n      type: object\n`),
    );
    expect(runWith(fn, {}).outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.validation, instance: '/output/schema' },
    });
  });
});

describe('raise', () => {
  it('raises a reusable error with an expression detail', () => {
    const r = runWith(
      load(
        wf(
          `  - fail:\n      raise:\n        error: notFound`,
          `use:\n  errors:\n    notFound:\n      type: https://serverlessworkflow.io/spec/1.0.0/errors/runtime\n      status: 404\n      title: Not Found\n      detail: \${ "no pet " + .name }\n`,
        ),
      ),
      { name: 'milou' },
    );
    expect(r.outcome).toEqual({
      type: 'fault',
      error: {
        type: ERROR_TYPES.runtime,
        status: 404,
        title: 'Not Found',
        detail: 'no pet milou',
        instance: '/do/0/fail',
      },
    });
  });
});

describe('try / catch / retry', () => {
  const flaky = (failures: number, status = 503) => {
    let calls = 0;
    return {
      http: () => (++calls <= failures ? { status } : { status: 200, body: { calls } }),
      calls: () => calls,
    };
  };
  const tryDoc = (catchBody: string, extra = '') =>
    wf(
      `  - attempt:\n      try:\n        - get:\n            call: http\n            with:\n              method: get\n              endpoint: http://svc.local/x\n      catch:\n${catchBody}`,
      extra,
    );

  it.each([
    ['constant', [1000, 1000, 1000]],
    ['linear', [1000, 2000, 3000]],
    ['exponential', [1000, 2000, 4000]],
  ])('retries with %s backoff', (backoff, delays) => {
    const s = flaky(3);
    const r = runWith(
      load(
        tryDoc(
          `        errors:\n          with:\n            status: 503\n        retry:\n          delay:\n            seconds: 1\n          backoff:\n            ${backoff}: {}\n          limit:\n            attempt:\n              count: 5`,
        ),
      ),
      {},
      { http: s.http },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { calls: 4 } });
    expect(r.effects.filter((e) => e.kind === 'sleep').map((e) => (e as { ms: number }).ms)).toEqual(delays);
  });

  it('stops after limit.attempt.count retries and rethrows when there is no catch.do', () => {
    const s = flaky(10);
    const r = runWith(
      load(
        tryDoc(
          `        retry:\n          delay:\n            seconds: 1\n          limit:\n            attempt:\n              count: 2`,
        ),
      ),
      {},
      { http: s.http },
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.communication, status: 503, instance: '/do/0/attempt/try/0/get' },
    });
    expect(s.calls()).toBe(3);
  });

  it('limit.duration bounds the total time spent retrying; catch.do runs once retries are exhausted', () => {
    const s = flaky(100);
    const r = runWith(
      load(
        tryDoc(
          `        retry: patient\n        do:\n          - giveUp:\n              set:\n                gaveUp: \${ $error.status }`,
          `use:\n  retries:\n    patient:\n      delay:\n        seconds: 10\n      limit:\n        duration:\n          seconds: 35\n`,
        ),
      ),
      {},
      { http: s.http },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { gaveUp: 503 } });
    expect(s.calls()).toBe(4);
  });

  it('limit.attempt.duration: an attempt that took longer is not retried', () => {
    const r = runWith(
      load(
        tryDoc(
          `        retry:\n          delay:\n            seconds: 1\n          limit:\n            attempt:\n              duration:\n                milliseconds: 50`,
        ),
      ),
      {},
      { http: () => ({ status: 503, advanceMs: 100 }) },
    );
    expect(r.outcome).toMatchObject({ type: 'fault' });
    expect(r.effects.filter((e) => e.kind === 'http')).toHaveLength(1);
  });

  it('jitter adds a delay within [from, to], the same on every run', () => {
    const def = tryDoc(
      `        retry:\n          delay:\n            seconds: 1\n          jitter:\n            from:\n              milliseconds: 100\n            to:\n              milliseconds: 300\n          limit:\n            attempt:\n              count: 3`,
    );
    const delays = () =>
      runWith(load(def), {}, { http: flaky(3).http })
        .effects.filter((e) => e.kind === 'sleep')
        .map((e) => (e as { ms: number }).ms);
    const a = delays();
    expect(a).toHaveLength(3);
    for (const d of a) {
      expect(d).toBeGreaterThanOrEqual(1100);
      expect(d).toBeLessThanOrEqual(1300);
    }
    expect(delays()).toEqual(a);
  });

  it('errors.with, when and exceptWhen filter what is caught', () => {
    const run = (catchBody: string) =>
      runWith(load(tryDoc(catchBody)), {}, { http: () => ({ status: 404 }) }).outcome.type;
    expect(run(`        errors:\n          with:\n            status: 503`)).toBe('fault');
    expect(run(`        errors:\n          with:\n            status: 404`)).toBe('complete');
    expect(run(`        when: \${ $error.status == 404 }`)).toBe('complete');
    expect(run(`        when: \${ $error.status == 500 }`)).toBe('fault');
    expect(run(`        exceptWhen: \${ $error.status == 404 }`)).toBe('fault');
    expect(run(`        as: oops\n        when: \${ $oops.status == 404 }`)).toBe('complete');
  });

  it('retry.when decides whether to retry', () => {
    const s = flaky(5);
    const r = runWith(
      load(
        tryDoc(
          `        retry:\n          when: \${ $error.status == 500 }\n          delay:\n            seconds: 1\n          limit:\n            attempt:\n              count: 3`,
        ),
      ),
      {},
      { http: s.http },
    );
    expect(r.outcome.type).toBe('fault');
    expect(s.calls()).toBe(1);
  });
});

describe('for', () => {
  it('at names the index, while stops the loop, output chains through iterations', () => {
    const r = runWith(
      load(
        wf(
          `  - loop:\n      for:\n        each: n\n        in: \${ .numbers }\n        at: i\n      while: .total < 5\n      do:\n        - add:\n            set:\n              total: \${ .total + $n }\n              numbers: \${ .numbers }\n              last: \${ $i }`,
        ),
      ),
      { numbers: [1, 2, 3, 4], total: 0 },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { total: 6, numbers: [1, 2, 3, 4], last: 2 } });
  });
});

describe('emit', () => {
  it('ids and times come from the task id and the clock', () => {
    const r = runWith(
      load(
        wf(
          `  - a:\n      emit:\n        event:\n          with:\n            source: https://x\n            type: t.one\n  - w:\n      wait: PT1S\n  - b:\n      emit:\n        event:\n          with:\n            source: https://x\n            type: t.two\n            subject: \${ $workflow.input.s }`,
        ),
      ),
      { s: 'subj' },
    );
    expect(r.emitted).toEqual([
      { id: 'simulated-1', specversion: '1.0', time: '2026-01-01T00:00:00.000Z', source: 'https://x', type: 't.one' },
      {
        id: 'simulated-2',
        specversion: '1.0',
        time: '2026-01-01T00:00:01.000Z',
        source: 'https://x',
        type: 't.two',
        subject: 'subj',
      },
    ]);
  });
});

describe('call http', () => {
  it('query, headers, body, bearer authentication by name from secrets, raw output', () => {
    let seen: HttpRequest | undefined;
    const fn = load(
      wf(
        `  - post:\n      call: http\n      with:\n        method: post\n        endpoint:\n          uri: \${ "http://svc.local/items/" + (.id | tostring) }\n          authentication:\n            use: api\n        query:\n          q: \${ .q }\n          n: '2'\n        headers:\n          X-Trace: \${ .trace }\n        body:\n          name: \${ .name }\n        output: raw`,
        `use:\n  secrets: [ token ]\n  authentications:\n    api:\n      bearer:\n        token: \${ $secrets.token }\n`,
      ),
      { secrets: { token: 's3cret' } },
    );
    const r = runWith(
      fn,
      { id: 5, q: 'a b', trace: 't1', name: 'n' },
      { http: (req) => ((seen = req), { status: 200, body: 'hello' }) },
    );
    expect(seen).toEqual({
      method: 'POST',
      url: 'http://svc.local/items/5?q=a+b&n=2',
      headers: { 'X-Trace': 't1', Authorization: 'Bearer s3cret' },
      body: { name: 'n' },
      redirect: false,
    });
    expect(r.outcome).toEqual({ type: 'complete', output: Buffer.from('hello').toString('base64') });
  });

  it('basic authentication from a secret; redirect: true tolerates an unfollowed 3xx', () => {
    let seen: HttpRequest | undefined;
    const fn = load(
      wf(
        `  - get:\n      call: http\n      with:\n        method: get\n        redirect: true\n        output: response\n        endpoint:\n          uri: http://svc.local/moved\n          authentication:\n            basic:\n              use: creds`,
        `use:\n  secrets: [ creds ]\n`,
      ),
      { secrets: { creds: { username: 'u', password: 'p' } } },
    );
    const r = runWith(fn, {}, { http: (req) => ((seen = req), { status: 304 }) });
    expect(seen?.headers?.Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(seen?.redirect).toBe(true);
    expect(r.outcome).toMatchObject({ type: 'complete', output: { statusCode: 304 } });
  });

  it('a non-2xx answer faults the task with a communication error at its pointer', () => {
    const r = runWith(
      load(wf(`  - get:\n      call: http\n      with:\n        method: get\n        endpoint: http://svc.local/x`)),
      {},
      { http: () => ({ status: 500 }) },
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.communication, status: 500, instance: '/do/0/get' },
    });
  });

  it("an error the engine reports with the request's URL as instance gets the task's pointer instead", () => {
    const r = runWith(
      load(
        wf(`  - get:\n      call: http\n      with:\n        method: get\n        endpoint: http://svc.local/missing`),
      ),
      {},
      { http: () => ({ status: 404 }) },
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.communication, status: 404, instance: '/do/0/get' },
    });
  });

  it('a function of use.functions runs with the call arguments as input', () => {
    let url = '';
    const r = runWith(
      load(
        wf(
          `  - getPet:\n      call: getPetById\n      with:\n        petId: 69`,
          `use:\n  functions:\n    getPetById:\n      call: http\n      with:\n        method: get\n        endpoint: https://petstore.local/v2/pet/{petId}\n`,
        ),
      ),
      {},
      { http: (req) => ((url = req.url), { status: 200, body: { id: 69 } }) },
    );
    expect(url).toBe('https://petstore.local/v2/pet/69');
    expect(r.outcome).toEqual({ type: 'complete', output: { id: 69 } });
  });
});

describe('run workflow and fork', () => {
  const child = `document:\n  dsl: '1.0.3'\n  namespace: lib\n  name: double\n  version: '1.0.0'\ndo:\n  - d:\n      set:\n        v: \${ .v * 2 }`;
  const failing = `document:\n  dsl: '1.0.3'\n  namespace: lib\n  name: fail\n  version: '1.0.0'\ndo:\n  - boom:\n      raise:\n        error:\n          type: https://example.com/boom\n          status: 418`;
  const registry = { 'lib/double:1.0.0': child, 'lib/fail:1.0.0': failing };

  it('runs a referenced workflow as a child and takes its output', () => {
    const r = runWith(
      load(
        wf(
          `  - sub:\n      run:\n        workflow:\n          namespace: lib\n          name: double\n          version: '1.0.0'\n          input:\n            v: \${ .n }`,
        ),
      ),
      { n: 21 },
      { spawn: children(registry) },
    );
    expect(r.effects[0]).toEqual({
      kind: 'spawn',
      children: [{ definitionRef: { namespace: 'lib', name: 'double', version: '1.0.0' }, input: { v: 21 } }],
      wait: 'all',
    });
    expect(r.outcome).toEqual({ type: 'complete', output: { v: 42 } });
  });

  it('a faulted child raises its error', () => {
    const r = runWith(
      load(
        wf(
          `  - sub:\n      run:\n        workflow:\n          namespace: lib\n          name: fail\n          version: '1.0.0'`,
        ),
      ),
      {},
      { spawn: children(registry) },
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: 'https://example.com/boom', status: 418, instance: '/do/0/boom' },
    });
  });

  it('fork without compete: every branch as a child document, outputs in declaration order', () => {
    const r = runWith(
      load(
        wf(
          `  - both:\n      fork:\n        branches:\n          - slow:\n              do:\n                - w:\n                    wait: PT2S\n                - s:\n                    set:\n                      who: slow\n          - fast:\n              set:\n                who: fast`,
          `use:\n  errors:\n    e:\n      type: https://x\n      status: 400\n`,
        ),
      ),
      { k: 1 },
      { spawn: children() },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: [{ who: 'slow' }, { who: 'fast' }] });
    const spawnEffect = r.effects[0] as SpawnEffect;
    expect(spawnEffect.wait).toBe('all');
    expect(spawnEffect.children[1]).toEqual({
      definition: {
        document: { dsl: '1.0.3', namespace: 'test', name: 't-both-fast', version: '1.0.0' },
        do: [{ fast: { set: { who: 'fast' } } }],
        use: { errors: { e: { type: 'https://x', status: 400 } } },
      },
      input: { k: 1 },
    });
  });

  it('fork with compete: the first branch to end wins', () => {
    const r = runWith(
      load(
        wf(
          `  - race:\n      fork:\n        compete: true\n        branches:\n          - slow:\n              do:\n                - w:\n                    wait: PT2S\n                - s:\n                    set:\n                      who: slow\n          - fast:\n              set:\n                who: fast`,
        ),
      ),
      {},
      { spawn: children() },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { who: 'fast' } });
  });
});

describe('trace', () => {
  it('records started/completed with outputs, and cancelled when the task is closed while suspended', () => {
    const fn = load(wf(`  - first:\n      set:\n        a: 1\n  - pause:\n      wait: PT1H`));
    const { execution } = Execution.start(fn, {}, 't1', 1000);
    execution.close();
    expect(execution.drainRecords()).toEqual([
      { task: 'first', ref: '/do/0/first', phase: 'started', at: 1000 },
      { task: 'first', ref: '/do/0/first', phase: 'completed', at: 1000, output: { a: 1 } },
      { task: 'pause', ref: '/do/1/pause', phase: 'started', at: 1000 },
      { task: 'pause', ref: '/do/1/pause', phase: 'cancelled', at: 1000 },
    ]);
  });

  it('workflow input.from with $workflow.input holding the raw input', () => {
    const fn = load(
      `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\ninput:\n  from: .inner\ndo:\n  - s:\n      set:\n        got: \${ . }\n        raw: \${ $workflow.input }`,
    );
    expect(runWith(fn, { inner: 5 }).outcome).toEqual({ type: 'complete', output: { got: 5, raw: { inner: 5 } } });
  });
});

describe('replay', () => {
  it('replaying the journal of a run gives the same outcome', () => {
    const fn = load(
      wf(
        `  - get:\n      try:\n        - call:\n            call: http\n            with:\n              method: get\n              endpoint: http://svc.local/x\n      catch:\n        retry:\n          delay:\n            seconds: 1\n          jitter:\n            from:\n              milliseconds: 1\n            to:\n              milliseconds: 999\n          limit:\n            attempt:\n              count: 3\n  - note:\n      emit:\n        event:\n          with:\n            source: https://x\n            type: done\n            data: \${ . }\n  - pause:\n      wait: PT1S\n  - end:\n      set:\n        at: \${ $task.startedAt.iso8601 }\n        got: \${ . }`,
      ),
    );
    let calls = 0;
    const live = runWith(fn, {}, { http: () => (++calls < 3 ? { status: 503 } : { status: 200, body: { ok: true } }) });
    expect(live.outcome.type).toBe('complete');
    const again = Execution.replay(fn, {}, 'simulated', Date.UTC(2026, 0, 1), live.journal);
    expect(again.outcome).toEqual(live.outcome);
  });
});
