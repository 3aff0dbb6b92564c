import { TaskError } from '@yieldflow/runtime';
import { ExpressionFailure, JqEvaluator } from './evaluator';
import { Expressions } from './expr';
import { compilePath } from './path';

const cases: [string, unknown, Record<string, unknown>, unknown][] = [
  ['.a + .b', { a: 1, b: 2 }, {}, 3],
  ['.colors + ["red"]', {}, {}, ['red']],
  ['{ ids: [ $input, .id ] }', { id: 2 }, { input: 1 }, { ids: [1, 2] }],
  [
    '"Hello \\(.user.firstName) \\(.user.lastName)!"',
    { user: { firstName: 'John', lastName: 'Doe' } },
    {},
    'Hello John Doe!',
  ],
  ['[.[] | select(. > 1)] | length', [1, 2, 3], {}, 2],
  ['$context.n + 1', null, { context: { n: 41 } }, 42],
  ['( . | length ) > 3', [1, 2, 3, 4], {}, true],
  ['.a, .b', { a: 1, b: 2 }, {}, [1, 2]],
  ['empty', 1, {}, null],
  ['to_entries | map(.key) | join(",")', { x: 1, y: 2 }, {}, 'x,y'],
];

describe.each(['jqjs', 'jq'] as const)('jq evaluation with engine %s', (engine) => {
  const ev = new JqEvaluator({ engine, inlinePaths: false });
  afterAll(() => ev.close());
  it.each(cases)('%s', (expr, input, args, expected) => {
    expect(ev.evaluate(expr, input as never, args as never)).toEqual(expected);
  });
  it('reports a syntax error as an ExpressionFailure', () => {
    expect(() => ev.evaluate('.a +* ((', {}, {})).toThrow(ExpressionFailure);
  });
});

describe('JqEvaluator (auto)', () => {
  const ev = new JqEvaluator({ timeoutMs: 500 });
  afterAll(() => ev.close());

  it('falls back to real jq for what jqjs lacks (error/1, try/catch, destructuring)', () => {
    expect(ev.evaluate('try error("boom") catch .', null, {})).toBe('boom');
    expect(ev.evaluate('. as {a: $x} | $x', { a: 5 }, {})).toBe(5);
    // jqjs answers [null, "none"] here: alternatives always go to real jq
    expect(ev.evaluate('.x // "none"', {}, {})).toBe('none');
    expect(() => ev.evaluate('error("custom failure")', null, {})).toThrow(/custom failure/);
  });

  it('evaluates plain paths inline, without the worker', () => {
    const before = ev.stats.worker;
    expect(ev.evaluate('.a.b[1]', { a: { b: [1, 2] } }, {})).toBe(2);
    expect(ev.evaluate('$input.x', null, { input: { x: 'y' } })).toBe('y');
    expect(ev.evaluate('.missing.deeper', {}, {})).toBeNull();
    expect(() => ev.evaluate('.a.b', { a: 5 }, {})).toThrow(/Cannot index number/);
    expect(ev.stats.worker).toBe(before);
  });

  it.each(['[range(1e12)]', 'def f: f; f', 'repeat(1)', '[limit(1e12; repeat("x" * 100000))]'])(
    'stops the runaway expression %s within its limit, and keeps working after',
    (expr) => {
      const t = Date.now();
      expect(() => ev.evaluate(expr, null, {})).toThrow(/exceeded its limit of 500 ms/);
      expect(Date.now() - t).toBeLessThan(500 + 3000);
      expect(ev.evaluate('.a * 2', { a: 21 }, {})).toBe(42);
    },
  );

  it('an expression that allocates without end is stopped by the memory or time limit', () => {
    const small = new JqEvaluator({ timeoutMs: 2000, maxMemoryMb: 32 });
    const t = Date.now();
    expect(() => small.evaluate('[range(1e9) | tostring] | length', null, {})).toThrow(ExpressionFailure);
    expect(Date.now() - t).toBeLessThan(2000 + 3000);
    expect(small.evaluate('. + 1', 1, {})).toBe(2);
    small.close();
  });

  it('one huge array (which aborts a whole process when built in a worker thread) costs only the evaluation', () => {
    const small = new JqEvaluator({ timeoutMs: 5000, maxMemoryMb: 64 });
    expect(() => small.evaluate('[range(0; 100000000)] | length', null, {})).toThrow(/more than 64 MiB of memory/);
    expect(small.evaluate('[range(3)] | length', null, {})).toBe(3);
    small.close();
  });
});

describe('compilePath', () => {
  it('accepts only plain paths', () => {
    expect(compilePath('.')).not.toBeNull();
    expect(compilePath('.a["b c"][0]')).not.toBeNull();
    expect(compilePath('..')).toBeNull();
    expect(compilePath('.a | .b')).toBeNull();
    expect(compilePath('.a?')).toBeNull();
    expect(compilePath('$x.y')?.({}, { x: { y: 1 } })).toBe(1);
  });
});

describe('formats jqjs gets wrong go to real jq', () => {
  const ev = new JqEvaluator({ inlinePaths: false });
  afterAll(() => ev.close());
  it.each([
    ['@html', 'a\'b"<c>&', 'a&apos;b&quot;&lt;c&gt;&amp;'],
    ['@sh', "it's", "'it'\\''s'"],
    ['@uri', "a'b c", 'a%27b%20c'],
    ['@base64', 'ü', 'w7w='],
    ['@json', 'a\tb', '"a\\tb"'],
  ])('%s', (expr, input, expected) => {
    expect(ev.evaluate(expr, input, {})).toBe(expected);
  });
  it('keys is one array, even of one key', () => {
    expect(ev.evaluate('keys', { b: 1 }, {})).toEqual(['b']);
    expect(ev.evaluate('keys | length', { b: 1, a: 2 }, {})).toBe(2);
  });
});

/**
 * jqjs compiles some broken expressions (`.qty *` gives nothing, `[.a | ]` gives `[]`); definitions are
 * checked with real jq when submitted, but an expression can reach the evaluator without that (stored before
 * the check, or built by code). Each distinct expression is compiled by real jq before jqjs is trusted.
 */
describe('an expression real jq rejects fails, whatever the engine', () => {
  describe.each(['auto', 'jqjs'] as const)('engine %s', (engine) => {
    const ev = new JqEvaluator({ engine, inlinePaths: false });
    afterAll(() => ev.close());
    it.each(['.qty *', '[.a | ]', '[.items[] | .qty * ] | add', '.a +'])('%s', (expr) => {
      let failure: unknown;
      try {
        ev.evaluate(expr, { qty: 2, a: 1, items: [{ qty: 1 }] }, {});
      } catch (err) {
        failure = err;
      }
      expect(failure).toBeInstanceOf(ExpressionFailure);
      expect((failure as ExpressionFailure).expression).toBe(expr);
      expect((failure as Error).message).toMatch(/does not compile in jq: syntax error/);
    });
    it("faults the task with the DSL's expression error, naming the expression and jq's message", () => {
      let failure: unknown;
      try {
        new Expressions(ev).run('.qty *', { qty: 2 }, {}, '/do/0/total');
      } catch (err) {
        failure = err;
      }
      expect(failure).toBeInstanceOf(TaskError);
      expect(failure).toMatchObject({ status: 400, instance: '/do/0/total' });
      expect((failure as TaskError).detail).toMatch(
        /^evaluating '\.qty \*': the expression does not compile in jq: syntax error/,
      );
    });
    it('keeps accepting what jq accepts, with $variables bound or not', () => {
      expect(ev.evaluate('.qty * $n', { qty: 2 }, { n: 3 })).toBe(6);
      expect(ev.evaluate('[.[] | . * 2]', [1, 2], {})).toEqual([2, 4]);
    });
  });
});
