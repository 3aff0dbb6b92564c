import { startStack, type Stack } from './support/stack';

const doc = (tasks: object[]) => ({
  document: { dsl: '1.0.3', namespace: 'test', name: 'syntax', version: '1.0.0' },
  do: tasks,
});

/**
 * Every expression of a definition is compiled with real jq's grammar when the definition is submitted or
 * registered: a syntax error is a 400 naming its JSON pointer and jq's own message, not a task that runs
 * and quietly gets null (`.qty *` once compiled in jqjs, and a `switch` then took the wrong branch).
 */
describe('expressions are checked when a definition arrives', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('a syntax error in a set is a 400 with its pointer and jq message', async () => {
    const res = await s.http
      .post('/v1/tasks')
      .send({ definition: doc([{ total: { set: { total: '${ [.items[] | .qty * ] | add }' } } }]) });
    expect(res.status).toBe(400);
    const v = res.body.violations as { pointer: string; message: string }[];
    expect(v).toEqual([expect.objectContaining({ pointer: '/do/0/total/set/total' })]);
    expect(v[0].message).toMatch(/syntax error/);
  });

  it('bare expression fields (if, switch when, for in) are checked too, and so is registration', async () => {
    const bad = doc([
      { pick: { switch: [{ big: { when: '.n > ', then: 'end' } }] } },
      { maybe: { if: '${ .a | }', set: { a: 1 } } },
    ]);
    const res = await s.http.post('/v1/definitions').send(bad);
    expect(res.status).toBe(400);
    const pointers = (res.body.violations as { pointer: string }[]).map((x) => x.pointer);
    expect(pointers).toEqual(['/do/0/pick/switch/0/big/when', '/do/1/maybe/if']);
  });

  it('checks at most 500 distinct expressions a definition (plain paths are free), so none holds the api', async () => {
    const set = (n: number, expr: (i: number) => string) =>
      doc([{ many: { set: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, expr(i)])) } }]);
    const res = await s.http.post('/v1/definitions').send(set(501, (i) => `\${ .a + ${i} }`));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/501 distinct expressions other than plain paths; at most 500/);
    await s.http
      .post('/v1/definitions')
      .send({
        ...set(2000, (i) => `\${ .a.b${i} }`),
        document: { dsl: '1.0.3', namespace: 'test', name: 'paths', version: '1.0.0' },
      })
      .expect(201);
  });

  it('valid expressions, with variables of any scope, are accepted and run', async () => {
    const res = await s.http
      .post('/v1/tasks')
      .send({
        definition: doc([
          {
            each: {
              for: { in: '${ .items }', each: 'it' },
              do: [{ add: { set: { n: '${ $it.qty * 2 }', ctx: '${ $context | length }' } } }],
            },
          },
        ]),
        input: { items: [{ qty: 2 }] },
      })
      .expect(201);
    const done = await s.until(res.body.id, ['completed', 'faulted']);
    expect(done.output).toEqual({ n: 4, ctx: 0 });
  });
});
