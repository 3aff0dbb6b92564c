import { ERROR_TYPES, Execution, type HttpRequest, type Json } from '@yieldflow/runtime';
import { stringify } from 'yaml';
import { load, outputOf, runWith, type World } from '../testing';
import { parseDocument } from './call-openapi';

const wf = (body: string, extra = '') =>
  `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\n${extra}do:\n${body}`;

const pets = [
  { id: 1, name: 'Milou', status: 'available' },
  { id: 2, name: 'Rex', status: 'sold' },
  { id: 3, name: 'Felix', status: 'available' },
];

const swagger2 = {
  swagger: '2.0',
  info: { title: 'Petstore', version: '1' },
  host: 'petstore.local',
  basePath: '/v2',
  schemes: ['https', 'http'],
  produces: ['application/json'],
  paths: {
    '/pet/findByStatus': {
      get: {
        operationId: 'findPetsByStatus',
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
        responses: { '200': { description: 'ok' } },
      },
    },
    '/pet/{petId}': {
      parameters: [{ $ref: '#/parameters/petId' }],
      get: {
        operationId: 'getPetById',
        parameters: [{ name: 'X-Trace', in: 'header', type: 'string' }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/pet': {
      post: {
        operationId: 'addPet',
        consumes: ['application/xml', 'application/json'],
        parameters: [{ name: 'pet', in: 'body', schema: { type: 'object' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
  parameters: { petId: { name: 'petId', in: 'path', required: true, type: 'integer' } },
};

const openapi3: Json = {
  openapi: '3.0.3',
  info: { title: 'Store', version: '1' },
  servers: [{ url: '/api/{version}', variables: { version: { default: 'v3' } } }],
  paths: {
    '/orders/{orderId}/items': {
      get: {
        operationId: 'listItems',
        parameters: [
          { name: 'orderId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'tag', in: 'query', schema: { type: 'array' } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
          { name: 'filter', in: 'query', style: 'deepObject', schema: { type: 'object' } },
        ],
        responses: { '200': { description: 'ok', content: { 'application/json': {} } } },
      },
    },
    '/orders': {
      post: {
        operationId: 'createOrder',
        servers: [{ url: 'https://orders.example.com/v1' }],
        parameters: [{ name: 'X-Request-Id', in: 'header', schema: { type: 'string' } }],
        requestBody: { $ref: '#/components/requestBodies/Order' },
        responses: { '201': { $ref: '#/components/responses/Created' } },
      },
    },
  },
  components: {
    requestBodies: { Order: { content: { 'application/json': { schema: { type: 'object' } } } } },
    responses: { Created: { description: 'created', content: { 'application/json': {} } } },
  },
};

/** A performer for the two effects: the document at `docUrl`, then the operation (answered by `api`). */
function world(
  docUrl: string,
  doc: Json,
  api: (req: HttpRequest) => { status: number; body?: Json },
  seen: HttpRequest[],
): World {
  return {
    http: (req) => {
      seen.push(req);
      if (req.url === docUrl) return { status: 200, body: doc };
      return api(req);
    },
  };
}

describe('call openapi', () => {
  it('Swagger 2.0: finds the operation, builds the query from its parameters and outputs the content', () => {
    const seen: HttpRequest[] = [];
    const fn = load(
      wf(
        `  - findPet:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: findPetsByStatus\n        parameters:\n          status: \${ .status }\n      output:\n        as: . | length`,
      ),
    );
    const r = runWith(
      fn,
      { status: ['available', 'pending'] },
      world(
        'https://petstore.local/v2/swagger.json',
        swagger2,
        (req) => {
          const wanted = new URL(req.url).searchParams.getAll('status');
          return { status: 200, body: pets.filter((p) => wanted.includes(p.status)) };
        },
        seen,
      ),
    );
    expect(outputOf(r)).toBe(2);
    expect(seen.map((q) => `${q.method} ${q.url}`)).toEqual([
      'GET https://petstore.local/v2/swagger.json',
      'GET https://petstore.local/v2/pet/findByStatus?status=available&status=pending',
    ]);
    expect(r.effects.filter((e) => e.kind === 'http')).toHaveLength(2);
  });

  it('Swagger 2.0: path parameters (from a path-level $ref) are encoded, headers sent, the response output shaped as for http', () => {
    const seen: HttpRequest[] = [];
    const fn = load(
      wf(
        `  - getPet:\n      call: openapi\n      with:\n        document:\n          endpoint:\n            uri: http://docs.local/petstore.json\n        operationId: getPetById\n        parameters:\n          petId: \${ .petId }\n          X-Trace: t1\n          ignored: 5\n        output: response`,
      ),
    );
    const r = runWith(
      fn,
      { petId: 'a/b c' },
      world('http://docs.local/petstore.json', swagger2, () => ({ status: 200, body: pets[0] }), seen),
    );
    // the scheme: the document's own when the document lists it
    const url = 'http://petstore.local/v2/pet/a%2Fb%20c';
    expect(seen[1]).toEqual({
      method: 'GET',
      url,
      headers: { 'X-Trace': 't1', Accept: 'application/json' },
      redirect: false,
    });
    expect(outputOf(r)).toEqual({
      request: { method: 'GET', uri: url, headers: { 'X-Trace': 't1', Accept: 'application/json' } },
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      content: pets[0],
    });
  });

  it('Swagger 2.0: a body parameter, authentication, and a document given as YAML text', () => {
    const seen: HttpRequest[] = [];
    const fn = load(
      wf(
        `  - add:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.yaml\n        operationId: addPet\n        authentication:\n          use: api\n        parameters:\n          pet:\n            name: \${ .name }\n        output: raw`,
        `use:\n  authentications:\n    api:\n      bearer:\n        token: tok\n`,
      ),
    );
    const r = runWith(
      fn,
      { name: 'Milou' },
      world('https://petstore.local/v2/swagger.yaml', stringify(swagger2), () => ({ status: 200, body: 'ok' }), seen),
    );
    expect(seen[1]).toEqual({
      method: 'POST',
      url: 'https://petstore.local/v2/pet',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer tok' },
      body: { name: 'Milou' },
      redirect: false,
    });
    expect(outputOf(r)).toBe(Buffer.from('ok').toString('base64'));
  });

  it('OpenAPI 3: a relative server URL with variables, path, exploded array and deepObject query parameters', () => {
    const seen: HttpRequest[] = [];
    const fn = load(
      wf(
        `  - items:\n      call: openapi\n      with:\n        document:\n          endpoint: https://shop.local/docs/openapi.json\n        operationId: listItems\n        parameters:\n          orderId: \${ .order }\n          tag: [ a, b ]\n          limit: 10\n          filter:\n            color: red`,
      ),
    );
    const r = runWith(
      fn,
      { order: 'o 1' },
      world('https://shop.local/docs/openapi.json', openapi3, () => ({ status: 200, body: [{ sku: 'x' }] }), seen),
    );
    expect(seen[1]).toEqual({
      method: 'GET',
      url: 'https://shop.local/api/v3/orders/o%201/items?tag=a&tag=b&limit=10&filter%5Bcolor%5D=red',
      headers: { Accept: 'application/json' },
      redirect: false,
    });
    expect(outputOf(r)).toEqual([{ sku: 'x' }]);
  });

  it("OpenAPI 3: the operation's own server, a requestBody made of the parameters it does not declare", () => {
    const seen: HttpRequest[] = [];
    const fn = load(
      wf(
        `  - order:\n      call: openapi\n      with:\n        document:\n          endpoint: https://shop.local/docs/openapi.json\n        operationId: createOrder\n        parameters:\n          X-Request-Id: r1\n          item: book\n          qty: 2\n        output: response`,
      ),
    );
    const r = runWith(
      fn,
      {},
      world('https://shop.local/docs/openapi.json', openapi3, () => ({ status: 201, body: { id: 9 } }), seen),
    );
    expect(seen[1]).toEqual({
      method: 'POST',
      url: 'https://orders.example.com/v1/orders',
      headers: { 'X-Request-Id': 'r1', 'Content-Type': 'application/json', Accept: 'application/json' },
      body: { item: 'book', qty: 2 },
      redirect: false,
    });
    expect(outputOf(r)).toMatchObject({ statusCode: 201, content: { id: 9 } });
  });

  it('fetches the document once per run', () => {
    const seen: HttpRequest[] = [];
    const call = (n: string, id: number) =>
      `  - ${n}:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: getPetById\n        parameters:\n          petId: ${id}\n`;
    const r = runWith(
      load(wf(call('one', 1) + call('two', 3))),
      {},
      world(
        'https://petstore.local/v2/swagger.json',
        swagger2,
        (req) => ({ status: 200, body: pets.find((p) => req.url.endsWith(`/${p.id}`)) ?? null }),
        seen,
      ),
    );
    expect(outputOf(r)).toEqual(pets[2]);
    expect(seen.map((q) => q.url)).toEqual([
      'https://petstore.local/v2/swagger.json',
      'https://petstore.local/v2/pet/1',
      'https://petstore.local/v2/pet/3',
    ]);
  });

  it('an operation not in the document faults with a configuration error naming it', () => {
    const fn = load(
      wf(
        `  - nope:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: deletePet`,
      ),
    );
    const r = runWith(
      fn,
      {},
      world('https://petstore.local/v2/swagger.json', swagger2, () => ({ status: 500 }), []),
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.configuration, status: 400, instance: '/do/0/nope/with/operationId' },
    });
    expect((r.outcome as { error: { detail: string } }).error.detail).toMatch(/deletePet/);
    expect(r.effects.filter((e) => e.kind === 'http')).toHaveLength(1);
  });

  it('a document that is not OpenAPI faults with a configuration error naming its URI', () => {
    const fn = load(
      wf(
        `  - bad:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/notes.txt\n        operationId: x`,
      ),
    );
    const r = runWith(
      fn,
      {},
      world('https://petstore.local/notes.txt', 'just: [ some text', () => ({ status: 500 }), []),
    );
    expect(r.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.configuration, instance: '/do/0/bad/with/document' },
    });
    expect((r.outcome as { error: { detail: string } }).error.detail).toMatch(/https:\/\/petstore\.local\/notes\.txt/);
    expect(parseDocument({ hello: 'world' })).toMatch(/neither/);
    expect(parseDocument('openapi: 3.1.0\npaths: {}\n')).toEqual({ openapi: '3.1.0', paths: {} });
  });

  it('a missing path parameter faults; an error answer faults the task with its status, instance the task', () => {
    const doc = `  - get:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: getPetById\n        parameters:\n          petId: \${ .petId }`;
    const fetch = (api: () => { status: number }) => world('https://petstore.local/v2/swagger.json', swagger2, api, []);
    expect(
      runWith(
        load(wf(doc)),
        {},
        fetch(() => ({ status: 200 })),
      ).outcome,
    ).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.configuration, instance: '/do/0/get/with/parameters' },
    });
    expect(
      runWith(
        load(wf(doc)),
        { petId: 4 },
        fetch(() => ({ status: 404 })),
      ).outcome,
    ).toMatchObject({ type: 'fault', error: { type: ERROR_TYPES.communication, status: 404, instance: '/do/0/get' } });
  });

  it('a failed document fetch faults the task', () => {
    const fn = load(
      wf(
        `  - get:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: getPetById\n        parameters:\n          petId: 1`,
      ),
    );
    const down = runWith(fn, {}, { http: () => ({ status: 503 }) });
    expect(down.outcome).toMatchObject({
      type: 'fault',
      error: { type: ERROR_TYPES.communication, status: 503, instance: '/do/0/get' },
    });
  });

  it('replaying the journal gives the same outcome without performing either call again', () => {
    const fn = load(
      wf(
        `  - a:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: getPetById\n        parameters:\n          petId: 1\n  - b:\n      call: openapi\n      with:\n        document:\n          endpoint: https://petstore.local/v2/swagger.json\n        operationId: getPetById\n        parameters:\n          petId: 3`,
      ),
    );
    const live = runWith(
      fn,
      {},
      world(
        'https://petstore.local/v2/swagger.json',
        swagger2,
        (req) => ({ status: 200, body: pets.find((p) => req.url.endsWith(`/${p.id}`)) ?? null }),
        [],
      ),
    );
    expect(outputOf(live)).toEqual(pets[2]);
    const again = Execution.replay(fn, {}, 'simulated', Date.UTC(2026, 0, 1), live.journal);
    expect(again.outcome).toEqual(live.outcome);
  });
});
