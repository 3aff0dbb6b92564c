import { canonicalJson, requestHash } from './request-hash';

describe('requestHash', () => {
  it('ignores key order and an absent input', () => {
    expect(requestHash({ coroutine: 'x', input: { a: 1, b: { c: 2, d: 3 } } })).toBe(
      requestHash({ input: { b: { d: 3, c: 2 }, a: 1 }, coroutine: 'x' }),
    );
    expect(requestHash({ coroutine: 'x' })).toBe(requestHash({ coroutine: 'x', input: null }));
  });

  it('tells other bodies apart', () => {
    expect(requestHash({ coroutine: 'x', input: [1, 2] })).not.toBe(requestHash({ coroutine: 'x', input: [2, 1] }));
    expect(requestHash({ coroutine: 'x', input: '1' })).not.toBe(requestHash({ coroutine: 'x', input: 1 }));
    expect(requestHash({ coroutine: 'x' })).not.toBe(requestHash({ coroutine: 'y' }));
  });

  it('keeps keys named like prototype members', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"constructor":2}'))).toBe(
      '{"__proto__":{"x":1},"constructor":2}',
    );
  });
});
