import type { Json } from '@yieldflow/runtime';
import { JqEvaluator } from './evaluator';
import { Expressions } from './expr';
import { compilePath } from './path';

/**
 * One evaluating child serves every namespace: whatever one expression does, the next must see a fresh
 * world. Each attempt below tries to leave something behind (a prototype property, a function definition);
 * the readers after it must answer as on a fresh child.
 */
const attempts: [string, Json, Record<string, Json>][] = [
  ['.__proto__.approved = true', {}, {}],
  ['.["__proto__"].approved = true', {}, {}],
  ['.[("__pro" + "to__")].approved = true', {}, {}],
  ['.a[("__pro" + "to__")].approved = true', { a: {} }, {}],
  ['.[$k].approved = true', {}, { k: '__proto__' }],
  ['.__proto__ |= . + {approved: true}', {}, {}],
  ['.constructor.prototype.approved = true', {}, {}],
  ['.[("constr" + "uctor")][("proto" + "type")].approved = true', {}, {}],
  ['[] | .[("constr" + "uctor")][("proto" + "type")].approved = true', {}, {}],
  ['setpath(["__proto__", "approved"]; true)', {}, {}],
  ['setpath([("__pro" + "to__"), "approved"]; true)', {}, {}],
  ['setpath($p; true)', {}, { p: ['__proto__', 'approved'] }],
  ['setpath($p; true)', {}, { p: ['constructor', 'prototype', 'approved'] }],
  ['reduce ({"__proto__": {"approved": true}} | paths(type == "boolean")) as $p ({}; setpath($p; true))', {}, {}],
  [
    'reduce (.x | paths(type == "boolean")) as $p ({}; setpath($p; true))',
    { x: JSON.parse('{"__proto__":{"approved":true}}') as Json },
    {},
  ],
  ['[{key: "__proto__", value: {approved: true}}] | from_entries | .approved', {}, {}],
  ['del(.[("__pro" + "to__")].hasOwnProperty)', {}, {}],
  ['def not: "HIJACKED"; .', {}, {}],
  ['def select(f): "HIJACKED"; .', {}, {}],
];

const readers: [string, Json, Json][] = [
  ['if .approved then "APPROVED" else "denied" end', {}, 'denied'],
  ['[.approved, ({} | .approved), ([{}] | .[0].approved)]', {}, [null, null, null]],
  ['true | not', null, false],
  ['[.[] | select(. > 1)]', [1, 2], [2]],
  ['{} | has("approved")', null, false],
];

describe.each(['jqjs', 'jq', 'auto'] as const)('no evaluation leaves state for the next (engine %s)', (engine) => {
  const ev = new JqEvaluator({ engine: engine === 'auto' ? undefined : engine, inlinePaths: false });
  afterAll(() => ev.close());

  it.each(attempts)('after %s', (expr, input, args) => {
    try {
      ev.evaluate(expr, input, args);
    } catch {
      // refusing is as good as doing it harmlessly
    }
    for (const [reader, on, expected] of readers)
      expect([reader, ev.evaluate(reader, on, {})]).toEqual([reader, expected]);
    expect(({} as Record<string, unknown>).approved).toBeUndefined();
  });
});

describe('__proto__ is an ordinary key', () => {
  const ev = new JqEvaluator({ inlinePaths: false });
  afterAll(() => ev.close());

  it('in what real jq answers, and in what reaches this process', () => {
    const out = ev.evaluate('.__proto__.approved = true', {}, {}) as Record<string, Json>;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"approved":true}}');
    expect(ev.evaluate('.__proto__.approved', out, {})).toBe(true);
    expect(ev.evaluate('.approved', out, {})).toBeNull();
    expect(ev.evaluate('{} | .__proto__', null, {})).toBeNull();
    expect(ev.evaluate('{} | .constructor', null, {})).toBeNull();
    expect(({} as Record<string, unknown>).approved).toBeUndefined();
  });
});

describe('inline paths read own keys only', () => {
  const polluted = JSON.parse('{"__proto__":{"approved":true}}') as Json;
  it.each([
    ['.__proto__', {}, null],
    ['.constructor', {}, null],
    ['.constructor.prototype', {}, null],
    ['.["__proto__"].approved', {}, null],
    ['.toString', {}, null],
    ['.approved', polluted, null],
    ['.__proto__.approved', polluted, true],
    ['$x.constructor', null, null],
  ] as [string, Json, Json][])('%s', (expr, input, expected) => {
    const fn = compilePath(expr);
    expect(fn).not.toBeNull();
    expect(fn!(input, { x: {} })).toEqual(expected);
  });

  it('an unbound variable named like a prototype property is unbound', () => {
    expect(() => compilePath('$constructor')!({}, {})).toThrow(/\$constructor is not defined/);
    expect(() => compilePath('$__proto__.x')!({}, {})).toThrow(/\$__proto__ is not defined/);
  });
});

describe('a definition object with a __proto__ key', () => {
  it('keeps it as a key when its expressions are evaluated', () => {
    const ev = new JqEvaluator();
    const ex = new Expressions(ev);
    const out = ex.deep(JSON.parse('{"__proto__":{"approved":"${ .ok }"}}') as Json, { ok: true }, {}) as Record<
      string,
      Json
    >;
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"approved":true}}');
    expect((out as { approved?: unknown }).approved).toBeUndefined();
    ev.close();
  });
});
