/**
 * The CTK scenarios (ctk/features/*.feature of DSL 1.0.3) that need no network, as unit tests: the same
 * definitions, inputs and assertions, with the trace standing in for "X should run first/after Y".
 * The HTTP scenarios run against a stand-in answering like the public hosts they name.
 */
import { ERROR_TYPES, type Json } from '@yieldflow/runtime';
import { children, load, outputOf, runWith, started } from './testing';

const doc = (name: string, body: string) =>
  `document:\n  dsl: '1.0.3'\n  namespace: default\n  name: ${name}\n  version: '1.0.0'\n${body}`;

describe('CTK: do, flow, set, for, emit, raise, switch, fork, data flow', () => {
  it('do.feature: task with sequential sub tasks', () => {
    const r = runWith(
      load(
        doc(
          'do',
          `do:
  - compositeExample:
      do:
        - setRed:
            set:
              colors: \${ .colors + ["red"] }
        - setGreen:
            set:
              colors: \${ .colors + ["green"] }
        - setBlue:
            set:
              colors: \${ .colors + ["blue"] }`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { colors: ['red', 'green', 'blue'] } });
  });

  it('flow.feature: implicit sequence', () => {
    const r = runWith(
      load(
        doc(
          'implicit-sequence',
          `do:
  - setRed:
      set:
        colors: '\${ .colors + [ "red" ] }'
  - setGreen:
      set:
        colors: '\${ .colors + [ "green" ] }'
  - setBlue:
      set:
        colors: '\${ .colors + [ "blue" ] }'`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { colors: ['red', 'green', 'blue'] } });
    expect(started(r)).toEqual(['setRed', 'setGreen', 'setBlue']);
  });

  it('flow.feature: explicit sequence with then', () => {
    const r = runWith(
      load(
        doc(
          'explicit-sequence',
          `do:
  - setRed:
      set:
        colors: '\${ .colors + [ "red" ] }'
      then: setGreen
  - setBlue:
      set:
        colors: '\${ .colors + [ "blue" ] }'
      then: end
  - setGreen:
      set:
        colors: '\${ .colors + [ "green" ] }'
      then: setBlue`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { colors: ['red', 'green', 'blue'] } });
    expect(started(r)).toEqual(['setRed', 'setGreen', 'setBlue']);
  });

  it('set.feature', () => {
    const input = { configuration: { size: { width: 6, height: 6 }, fill: { red: 69, green: 69, blue: 69 } } };
    const r = runWith(
      load(
        doc(
          'set',
          `do:
  - setShape:
      set:
        shape: circle
        size: \${ .configuration.size }
        fill: \${ .configuration.fill }`,
        ),
      ),
      input,
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { shape: 'circle', ...input.configuration } });
  });

  it('for.feature: named item, default index', () => {
    const r = runWith(
      load(
        doc(
          'for',
          `do:
  - loopColors:
      for:
        each: color
        in: '.colors'
      do:
        - markProcessed:
            set:
              processed: '\${ { colors: (.processed.colors + [ $color ]), indexes: (.processed.indexes + [ $index ])} }'`,
        ),
      ),
      { colors: ['red', 'green', 'blue'] },
    );
    expect(r.outcome).toEqual({
      type: 'complete',
      output: { processed: { colors: ['red', 'green', 'blue'], indexes: [0, 1, 2] } },
    });
  });

  it('emit.feature', () => {
    const r = runWith(
      load(
        doc(
          'emit',
          `do:
  - emitEvent:
      emit:
        event:
          with:
            source: https://fake-source.com
            type: com.fake-source.user.greeted.v1
            data:
              greetings: \${ "Hello \\(.user.firstName) \\(.user.lastName)!" }`,
        ),
      ),
      { user: { firstName: 'John', lastName: 'Doe' } },
    );
    expect(r.outcome.type).toBe('complete');
    const out = outputOf(r);
    for (const p of ['id', 'specversion', 'time', 'source', 'type', 'data']) expect(out).toHaveProperty(p);
    expect(out.source).toBe('https://fake-source.com');
    expect(out.type).toBe('com.fake-source.user.greeted.v1');
    expect(out.data).toEqual({ greetings: 'Hello John Doe!' });
  });

  it('raise.feature: inline error, instance set to the task', () => {
    const r = runWith(
      load(
        doc(
          'raise-custom-error',
          `do:
  - raiseError:
      raise:
        error:
          status: 400
          type: https://serverlessworkflow.io/errors/types/compliance
          title: Compliance Error`,
        ),
      ),
      {},
    );
    expect(r.outcome).toEqual({
      type: 'fault',
      error: {
        status: 400,
        type: 'https://serverlessworkflow.io/errors/types/compliance',
        title: 'Compliance Error',
        instance: '/do/0/raiseError',
      },
    });
    expect(r.trace.find((e) => e.phase === 'faulted')).toMatchObject({ task: 'raiseError', ref: '/do/0/raiseError' });
  });

  const switchTasks = `
  - setRed:
      set:
        colors: '\${ .colors + [ "red" ] }'
      then: end
  - setGreen:
      set:
        colors: '\${ .colors + [ "green" ] }'
      then: end
  - setBlue:
      set:
        colors: '\${ .colors + [ "blue" ] }'
      then: end`;
  const cases = `
            - red:
                when: '.color == "red"'
                then: setRed
            - green:
                when: '.color == "green"'
                then: setGreen
            - blue:
                when: '.color == "blue"'
                then: setBlue`;

  it('switch.feature: matching case', () => {
    const r = runWith(
      load(
        doc(
          'switch-match',
          `do:
  - switchColor:
      switch:${cases}${switchTasks}`,
        ),
      ),
      { color: 'red' },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { colors: ['red'] } });
    expect(started(r)).toEqual(['switchColor', 'setRed']);
  });

  it('switch.feature: implicit default case', () => {
    const r = runWith(
      load(
        doc(
          'switch-default-implicit',
          `do:
  - switchColor:
      switch:${cases}
      then: end${switchTasks}`,
        ),
      ),
      { color: 'yellow' },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { color: 'yellow' } });
    expect(started(r)).toEqual(['switchColor']);
  });

  it('switch.feature: explicit default case', () => {
    const r = runWith(
      load(
        doc(
          'switch-default-explicit',
          `do:
  - switchColor:
      switch:${cases}
            - anyOtherColor:
                then: setCustomColor
  - setRed:
      set:
        colors: '\${ .colors + [ "red" ] }'
  - setGreen:
      set:
        colors: '\${ .colors + [ "green" ] }'
  - setBlue:
      set:
        colors: '\${ .colors + [ "blue" ] }'
  - setCustomColor:
      set:
        colors: '\${ .colors + [ $input.color ] }'`,
        ),
      ),
      { color: 'yellow' },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { colors: ['yellow'] } });
    expect(started(r)[0]).toBe('switchColor');
    expect(started(r).at(-1)).toBe('setCustomColor');
  });

  it('branch.feature: fork with competing branches', () => {
    const r = runWith(
      load(
        doc(
          'fork',
          `do:
  - branchWithCompete:
      fork:
        compete: true
        branches:
          - setRed:
              set:
                colors: \${ .colors + ["red"] }
          - setGreen:
              set:
                colors: \${ .colors + ["green"] }
          - setBlue:
              set:
                colors: \${ .colors + ["blue"] }`,
        ),
      ),
      {},
      { spawn: children() },
    );
    expect(r.outcome.type).toBe('complete');
    expect(outputOf(r).colors).toHaveLength(1);
    expect(r.effects.find((e) => e.kind === 'spawn')).toMatchObject({ wait: 'any' });
  });

  it('data-flow.feature: input filtering with a bare input.from', () => {
    const r = runWith(
      load(
        doc(
          'output-filtering',
          `do:
  - setPlayerId:
      input:
        from: .user.claims.subject
      set:
        playerId: \${ . }`,
        ),
      ),
      { user: { claims: { subject: '6AsnRgGEB0q2O7ux9JXFAw' } } },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { playerId: '6AsnRgGEB0q2O7ux9JXFAw' } });
  });
});

describe('CTK with a stand-in for the public hosts', () => {
  const pets: Record<string, { id: number; name: string; status: string }> = {
    '1': { id: 1, name: 'Milou', status: 'available' },
    '2': { id: 2, name: 'Rex', status: 'sold' },
  };
  // the operations of the petstore's swagger.json the scenarios call
  const swagger = {
    swagger: '2.0',
    info: { title: 'Swagger Petstore', version: '1.0.7' },
    host: 'petstore.swagger.io',
    basePath: '/v2',
    schemes: ['https', 'http'],
    paths: {
      '/pet/findByStatus': {
        get: {
          operationId: 'findPetsByStatus',
          produces: ['application/json'],
          parameters: [
            {
              name: 'status',
              in: 'query',
              required: true,
              type: 'array',
              items: { type: 'string' },
              collectionFormat: 'multi',
            },
          ],
          responses: {},
        },
      },
      '/pet/{petId}': {
        get: {
          operationId: 'getPetById',
          produces: ['application/json'],
          parameters: [{ name: 'petId', in: 'path', required: true, type: 'integer' }],
          responses: {},
        },
      },
    },
  };
  const petstore = (req: { url: string; headers?: Record<string, string> }): { status: number; body?: Json } => {
    const u = new URL(req.url);
    if (u.host === 'petstore.swagger.io') {
      if (u.pathname === '/v2/swagger.json') return { status: 200, body: swagger };
      if (u.pathname === '/v2/pet/findByStatus')
        return { status: 200, body: Object.values(pets).filter((p) => p.status === u.searchParams.get('status')) };
      const m = /^\/v2\/pet\/(\d+)$/.exec(u.pathname);
      if (m && pets[m[1]]) return { status: 200, body: pets[m[1]] };
      return { status: 404, body: { message: 'not found' } };
    }
    if (u.host === 'httpbin.org') {
      const m = /^\/basic-auth\/([^/]+)\/([^/]+)$/.exec(u.pathname);
      const want = m ? `Basic ${Buffer.from(`${m[1]}:${m[2]}`).toString('base64')}` : '';
      return req.headers?.Authorization === want ? { status: 200, body: { authenticated: true } } : { status: 401 };
    }
    return { status: 502 };
  };

  it('call.feature: content output with a URI template and output.as', () => {
    const r = runWith(
      load(
        doc(
          'http-call-with-content-output',
          `do:
  - findPet:
      call: http
      with:
        method: get
        endpoint:
          uri: https://petstore.swagger.io/v2/pet/findByStatus?status={status}
      output:
        as: .[0]`,
        ),
      ),
      { status: 'available' },
      { http: petstore },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: pets['1'] });
    expect(r.effects[0]).toMatchObject({
      kind: 'http',
      request: { method: 'GET', url: 'https://petstore.swagger.io/v2/pet/findByStatus?status=available' },
      retry: { attempts: 1 },
    });
  });

  it('call.feature: response output', () => {
    const r = runWith(
      load(
        doc(
          'http-call-with-response-output',
          `do:
  - getPet:
      call: http
      with:
        method: get
        endpoint:
          uri: https://petstore.swagger.io/v2/pet/{petId}
        output: response`,
        ),
      ),
      { petId: 1 },
      { http: petstore },
    );
    const out = outputOf(r);
    expect(out).toMatchObject({
      request: { method: 'GET', uri: 'https://petstore.swagger.io/v2/pet/1', headers: {} },
      statusCode: 200,
      content: pets['1'],
    });
    expect(out).toHaveProperty('headers');
  });

  it('call.feature: basic authentication from expressions', () => {
    const r = runWith(
      load(
        doc(
          'http-call-with-basic-auth',
          `do:
  - login:
      call: http
      with:
        method: get
        endpoint:
          uri: https://httpbin.org/basic-auth/{username}/{password}
          authentication:
            basic:
              username: \${ .username }
              password: \${ .password }`,
        ),
      ),
      { username: 'serverless-workflow', password: 'conformance-test' },
      { http: petstore },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { authenticated: true } });
  });

  it('call.feature: OpenAPI with content output', () => {
    const r = runWith(
      load(
        doc(
          'openapi-call-with-content-output',
          `do:
  - findPet:
      call: openapi
      with:
        document:
          endpoint: "https://petstore.swagger.io/v2/swagger.json"
        operationId: findPetsByStatus
        parameters:
          status: \${ .status }
      output:
        as: . | length`,
        ),
      ),
      { status: 'available' },
      { http: petstore },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: 1 });
    expect(r.effects.map((e) => (e.kind === 'http' ? e.request.url : e.kind))).toEqual([
      'https://petstore.swagger.io/v2/swagger.json',
      'https://petstore.swagger.io/v2/pet/findByStatus?status=available',
    ]);
  });

  it('call.feature: OpenAPI with response output', () => {
    const r = runWith(
      load(
        doc(
          'openapi-call-with-response-output',
          `do:
  - getPet:
      call: openapi
      with:
        document:
          endpoint: "https://petstore.swagger.io/v2/swagger.json"
        operationId: getPetById
        parameters:
          petId: \${ .petId }
        output: response`,
        ),
      ),
      { petId: 1 },
      { http: petstore },
    );
    const out = outputOf(r);
    expect(out).toMatchObject({
      request: { method: 'GET', uri: 'https://petstore.swagger.io/v2/pet/1', headers: { Accept: 'application/json' } },
      statusCode: 200,
      content: pets['1'],
    });
    expect(out).toHaveProperty('headers');
    for (const p of ['id', 'name', 'status']) expect(out.content).toHaveProperty(p);
  });

  it('data-flow.feature: output filtering and non-object output', () => {
    const r = runWith(
      load(
        doc(
          'non-object-output',
          `do:
  - getPetById1:
      call: http
      with:
        method: get
        endpoint:
          uri: https://petstore.swagger.io/v2/pet/{petId}
      output:
        as: .id
  - getPetById2:
      call: http
      with:
        method: get
        endpoint:
          uri: https://petstore.swagger.io/v2/pet/2
      output:
        as: '{ ids: [ $input, .id ] }'`,
        ),
      ),
      { petId: 1 },
      { http: petstore },
    );
    expect(r.outcome).toEqual({ type: 'complete', output: { ids: [1, 2] } });
  });

  const tryDoc = (status: number) =>
    doc(
      `try-catch-${status}`,
      `do:
  - tryGetPet:
      try:
        - getPet:
            call: http
            with:
              method: get
              endpoint:
                uri: https://petstore.swagger.io/v2/pet/getPetByName/{petName}
      catch:
        errors:
          with:
            type: https://serverlessworkflow.io/dsl/errors/types/communication
            status: ${status}
        as: err
        do:
          - setError:
              set:
                error: \${ $err }`,
    );

  it('try.feature: handles a caught error (the CTK type URI matches the standard one)', () => {
    const r = runWith(load(tryDoc(404)), { petName: 'Milou' }, { http: petstore });
    expect(r.outcome.type).toBe('complete');
    const err = outputOf(r).error;
    expect(err).toMatchObject({
      type: ERROR_TYPES.communication,
      status: 404,
      instance: '/do/0/tryGetPet/try/0/getPet',
    });
    expect(err).toHaveProperty('title');
    expect(r.trace.filter((e) => e.task === 'getPet').map((e) => e.phase)).toEqual(['started', 'faulted']);
  });

  it('try.feature: raises an uncaught error', () => {
    const r = runWith(load(tryDoc(503)), { petName: 'Milou' }, { http: petstore });
    expect(r.outcome).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.communication, status: 404 } });
  });
});
