import type { Body } from '../support/redis';
import { startStack, type Stack } from '../support/stack';
import { as, keyFor, newAdminKey, until } from './support';

const doc = (namespace: string, name: string, tasks: object[]) => ({
  document: { dsl: '1.0.3', namespace, name, version: '1.0.0' },
  do: tasks,
});

/**
 * A worker evaluates every namespace's expressions in one jq child: what namespace A's expressions write
 * must not be read by namespace B's. Each attempt runs in A, then B's reader runs on input {}.
 */
describe('expressions of one namespace leave nothing for another', () => {
  const admin = newAdminKey();
  let s: Stack;
  let a: string;
  let b: string;
  beforeAll(async () => {
    s = await startStack({ env: { ADMIN_KEY: admin } });
    a = await keyFor(s, admin, 'tenant-a', 'submitter');
    b = await keyFor(s, admin, 'tenant-b', 'submitter');
  });
  afterAll(() => s.close());

  async function run(token: string, definition: object, input: object = {}): Promise<Body> {
    const res = await as(s, token).post('/v1/tasks').send({ definition, input }).expect(201);
    return until(s, token, res.body.id, ['completed', 'faulted']);
  }

  const reader = doc('tenant-b', 'reader', [
    {
      check: {
        set: {
          verdict: '${ if .approved then "APPROVED" else "denied" end }',
          fresh: '${ {} | .approved }',
          negation: '${ true | not }',
          direct: '${ .approved }',
        },
      },
    },
  ]);

  it.each([
    ['through jqjs, by __proto__', '${ .__proto__.approved = true | . }'],
    ['through jqjs, by a computed key', '${ .[("__pro" + "to__")].approved = true | . }'],
    ['through jqjs, by constructor.prototype', '${ .[("constr" + "uctor")][("proto" + "type")].approved = true | . }'],
    ['through setpath', '${ setpath([("__pro" + "to__"), "approved"]; true) }'],
    [
      'through paths',
      '${ reduce ({"__proto__": {"approved": true}} | paths(type == "boolean")) as $p ({}; setpath($p; true)) }',
    ],
    ['through the jq-web fallback', '${ try error("x") catch (.__proto__.approved = true) }'],
    ['through a def', '${ def not: "HIJACKED"; . }'],
  ])(
    '%s',
    async (_, attempt) => {
      const polluter = await run(a, doc('tenant-a', 'polluter', [{ pollute: { set: { out: attempt } } }]));
      expect(polluter.status === 'completed' || polluter.status === 'faulted').toBe(true);
      const read = await run(b, reader);
      expect(read.status).toBe('completed');
      expect(read.output).toEqual({ verdict: 'denied', fresh: null, negation: false, direct: null });
    },
    20_000,
  );

  it('an inline path in the worker reads own keys only', async () => {
    const read = await run(
      b,
      doc('tenant-b', 'paths', [{ p: { set: { a: '${ .__proto__ }', b: '${ .constructor }', c: '${ .approved }' } } }]),
    );
    expect(read.output).toEqual({ a: null, b: null, c: null });
  });
});
