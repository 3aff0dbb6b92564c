import { Execution, type Outcome, type TaskErrorData } from '@yieldflow/runtime';
import { load, runWith } from '../testing';

const errorOf = (outcome: Outcome): TaskErrorData => (outcome.type === 'fault' ? outcome.error : ({} as TaskErrorData));
const wf = (body: string) =>
  `document:\n  dsl: '1.0.3'\n  namespace: test\n  name: t\n  version: '1.0.0'\ndo:\n${body}`;

describe('resume budget', () => {
  it('cuts off a then-loop with no wait in it, naming the budget', () => {
    const r = runWith(
      load(wf(`  - spin:\n      set:\n        x: 1\n      then: spin`), { budget: { steps: 500, cpuMs: 60_000 } }),
      {},
    );
    expect(r.outcome.type).toBe('fault');
    const error = errorOf(r.outcome);
    expect(error.title).toBe('Budget exceeded');
    expect(error.budget).toEqual({ name: 'LIMIT_STEPS_PER_RESUME', limit: 500, value: 501 });
    expect(String(error.detail)).toContain('LIMIT_STEPS_PER_RESUME');
  });

  it('cannot be caught by a try of the workflow, even one that retries for ever', () => {
    const body = `  - guard:\n      try:\n        - spin:\n            set:\n              x: 1\n            then: spin\n      catch:\n        retry:\n          delay:\n            milliseconds: 0\n          limit:\n            attempt:\n              count: 1000000\n`;
    const r = runWith(load(wf(body), { budget: { steps: 200, cpuMs: 60_000 } }), {});
    expect(r.outcome.type).toBe('fault');
    expect(errorOf(r.outcome).budget?.name).toBe('LIMIT_STEPS_PER_RESUME');
    expect(r.effects).toHaveLength(0); // no retry sleep was ever yielded
  });

  it('cuts off a for over more items than a resume may run', () => {
    const r = runWith(
      load(
        wf(
          `  - each:\n      for:\n        in: \${ [range(0; 100000)] }\n      do:\n        - add:\n            set:\n              n: \${ $index }`,
        ),
        { budget: { steps: 1000, cpuMs: 60_000 } },
      ),
      {},
    );
    expect(errorOf(r.outcome).budget?.name).toBe('LIMIT_STEPS_PER_RESUME');
  });

  it('bounds the time of a resume', () => {
    const r = runWith(
      load(wf(`  - spin:\n      set:\n        x: \${ [range(0; 2000)] | length }\n      then: spin`), {
        budget: { steps: 1e9, cpuMs: 50 },
      }),
      {},
    );
    expect(errorOf(r.outcome).budget?.name).toBe('LIMIT_CPU_MS_PER_RESUME');
  });

  it('starts again at every wait: a long loop that waits runs to its end', () => {
    const body = `  - each:\n      for:\n        in: \${ [range(0; 30)] }\n      do:\n        - a:\n            set:\n              n: 1\n        - b:\n            wait:\n              milliseconds: 1\n`;
    const r = runWith(load(wf(body), { budget: { steps: 5, cpuMs: 60_000 } }), {});
    expect(r.outcome.type).toBe('complete');
    expect(r.effects).toHaveLength(30);
  });

  it('a close of a spinning workflow ends: the rebuilt run is cut off by the budget', () => {
    const fn = load(wf(`  - spin:\n      set:\n        x: 1\n      then: spin`), {
      budget: { steps: 300, cpuMs: 60_000 },
    });
    const { execution, outcome } = Execution.replay(fn, {}, 't1', 0, []);
    expect(outcome.type).toBe('fault');
    expect(() => execution.close()).not.toThrow();
  });
});
