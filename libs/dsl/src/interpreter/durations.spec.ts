import { ERROR_TYPES, type Outcome } from '@yieldflow/runtime';
import { load, runWith } from '../testing';

const wf = (body: string, extra = '') =>
  `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\n${extra}do:\n${body}`;
const sleeps = (r: { effects: { kind: string; ms?: number }[] }) =>
  r.effects.filter((e) => e.kind === 'sleep').map((e) => e.ms);
const errorOf = (o: Outcome) => (o.type === 'fault' ? o.error : undefined);

/** DSL 1.0.3 allows a runtime expression wherever a duration goes; each is evaluated where it stands. */
describe('durations given as runtime expressions', () => {
  it('a retry delay, as an ISO string or an inline object', () => {
    const body = (delay: string) =>
      `  - again:\n      try:\n        - fail:\n            raise:\n              error:\n                type: https://example.com/e\n                status: 500\n      catch:\n        retry:\n          delay: '${delay}'\n          limit:\n            attempt:\n              count: 2\n`;
    expect(sleeps(runWith(load(wf(body('${ "PT" + (.s | tostring) + "S" }'))), { s: 2 }))).toEqual([2000, 2000]);
    expect(sleeps(runWith(load(wf(body('${ { milliseconds: .ms } }'))), { ms: 250 }))).toEqual([250, 250]);
  });

  it('a timeout.after: the task times out after what its input says', () => {
    const r = runWith(
      load(wf(`  - slow:\n      timeout:\n        after: '\${ { milliseconds: .limit } }'\n      wait: PT10S\n`)),
      { limit: 300 },
    );
    expect(errorOf(r.outcome)?.type).toBe(ERROR_TYPES.timeout);
    expect(r.effects[0]).toMatchObject({ kind: 'sleep', ms: 10_000 });
  });

  it('a named timeout in use.timeouts', () => {
    const r = runWith(
      load(
        wf(
          `  - slow:\n      timeout: short\n      wait: PT10S\n`,
          `use:\n  timeouts:\n    short:\n      after: '\${ "PT0.5S" }'\n`,
        ),
      ),
      {},
    );
    expect(errorOf(r.outcome)?.type).toBe(ERROR_TYPES.timeout);
  });

  it('an expression that gives no duration faults naming where it stands', () => {
    const r = runWith(load(wf(`  - slow:\n      timeout:\n        after: '\${ .nope }'\n      wait: PT1S\n`)), {});
    expect(errorOf(r.outcome)).toMatchObject({ type: ERROR_TYPES.configuration, instance: '/do/0/slow/timeout/after' });
  });
});
