import { openApiDocument } from '../../apps/api/src/openapi';
import { eventually } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

type Operation = {
  operationId: string;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

describe('OpenAPI document', () => {
  let s: Stack;
  let doc: ReturnType<typeof openApiDocument>;
  beforeAll(async () => {
    s = await startStack({ workers: 1 });
    doc = openApiDocument(s.app);
  });
  afterAll(() => s.close());

  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, Operation>).map(
        ([method, op]) => [method, path, op] as [string, string, Operation],
      ),
    );

  it('defines the bearer scheme, applies it to every operation but /health, and sets servers', () => {
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.servers?.length).toBeGreaterThan(0);
    for (const [, path, op] of operations()) {
      if (path.startsWith('/health')) expect(op.security).toEqual([]);
      else expect(op.security).toBeUndefined(); // the document's
    }
  });

  it('has a response schema for every operation and status (but 204)', () => {
    const missing: string[] = [];
    for (const [method, path, op] of operations()) {
      if (!Object.keys(op.responses).some((st) => st.startsWith('2'))) missing.push(`${method} ${path}: no 2xx`);
      for (const [status, res] of Object.entries(op.responses)) {
        if (status === '204') continue;
        const schemas = Object.values(res.content ?? {}).map((c) => c.schema);
        if (!schemas.length || schemas.some((x) => !x)) missing.push(`${method} ${path} ${status}`);
      }
      if (path !== '/health' && !path.startsWith('/health/')) {
        for (const st of ['401', '403', '429']) if (!op.responses[st]) missing.push(`${method} ${path}: no ${st}`);
      }
    }
    expect(missing).toEqual([]);
  });

  /** A resource for each path parameter, in the state the example needs. */
  async function pathFor(path: string): Promise<string> {
    if (!path.includes('{')) return path;
    const task = async (coroutine: string, status: string): Promise<string> => {
      const { body } = await s.http.post('/v1/tasks').send({ coroutine }).expect(201);
      await s.until(body.id, [status], 20_000);
      return body.id as string;
    };
    if (path === '/v1/tasks/{id}/send') return path.replace('{id}', await task('seed.consumer', 'suspended'));
    if (path === '/v1/tasks/{id}/pause') return path.replace('{id}', await task('seed.func-b', 'suspended'));
    if (path === '/v1/tasks/{id}/rerun') return path.replace('{id}', await task('seed.interleave-a', 'completed'));
    if (path.startsWith('/v1/schedules/{id}')) {
      const id = `example-${Math.random().toString(36).slice(2, 10)}`;
      await s.http.post('/v1/schedules').send({ id, every: '1h', coroutine: 'seed.func-a' }).expect(201);
      return path.replace('{id}', id);
    }
    throw new Error(`no resource for ${path}: add one to this test`);
  }

  it('every documented request body example succeeds when tried (2xx)', async () => {
    const tried: string[] = [];
    const failed: string[] = [];
    for (const [method, path, op] of operations()) {
      if (!op.requestBody) continue;
      const examples = op.requestBody.content['application/json']?.examples ?? {};
      // without examples, /docs would offer its own default body, which fills every field
      if (!Object.keys(examples).length) failed.push(`${method} ${path}: no examples`);
      for (const [name, example] of Object.entries(examples)) {
        const url = await pathFor(path);
        const res = await s.http[method as 'get' | 'post' | 'put' | 'patch' | 'delete'](url).send(
          example.value as object,
        );
        tried.push(`${method} ${path} ${name}`);
        if (res.status < 200 || res.status > 299)
          failed.push(`${method} ${path} (${name}): ${res.status} ${res.body?.message}`);
      }
    }
    expect(failed).toEqual([]);
    expect(tried.length).toBeGreaterThanOrEqual(15);
    // the submitted examples really run
    const page = await s.http.get('/v1/tasks?limit=100').expect(200);
    const hello = page.body.items.find((t: { definition?: { name?: string } }) =>
      t.definition?.name?.includes('hello@'),
    );
    expect(hello).toBeDefined();
    await eventually(
      async () =>
        (await s.http.get(`/v1/tasks/${hello.id}`)).body.output?.greeting === 'hello, world' ? true : undefined,
      20_000,
    );
  });
});
