import { receive, sleep, http } from './effects';
import { ERROR_TYPES, NonDeterminismError, TaskError } from './errors';
import { type Coroutine, Execution, type JournalEntry } from './execution';
import { CoroutineRegistry } from './registry';
import { consumer, funcA, num, registerSeedCoroutines } from './seed';
import { simulate } from './simulate';
import { retryDelay } from './retry';

describe('Execution', () => {
  it('.start() runs to the first effect and .resume() sends results in, like send()', () => {
    const { execution, outcome } = Execution.start(num, null, 't1', 1000);
    expect(outcome).toEqual({ type: 'suspend', effect: { kind: 'receive', value: 1 } });
    expect(execution.resume({ r: 5, t: 1001 })).toEqual({ type: 'suspend', effect: { kind: 'receive', value: 5 } });
    expect(execution.resume({ r: 100, t: 1002 })).toEqual({ type: 'suspend', effect: { kind: 'receive', value: 100 } });
    expect(execution.steps).toBe(2);
  });

  it('the consumer answers 200 OK per value and returns what it consumed when sent a falsy value', () => {
    const { execution, outcome } = Execution.start(consumer, null, 't', 0);
    expect(outcome).toEqual({ type: 'suspend', effect: { kind: 'receive', value: '' } });
    for (let n = 1; n <= 5; n++) {
      expect(execution.resume({ r: n, t: n })).toEqual({
        type: 'suspend',
        effect: { kind: 'receive', value: '200 OK' },
      });
    }
    expect(execution.resume({ r: null, t: 9 })).toEqual({ type: 'complete', output: [1, 2, 3, 4, 5] });
  });

  it('.replay() rebuilds a coroutine from its journal and continues where it stopped', () => {
    const journal: JournalEntry[] = [
      { k: 'receive', r: 7, t: 10 },
      { k: 'receive', r: 8, t: 20 },
    ];
    const { execution, outcome } = Execution.replay(num, null, 't', 0, journal);
    expect(outcome).toEqual({ type: 'suspend', effect: { kind: 'receive', value: 8 } });
    expect(execution.resume({ r: 9, t: 30 })).toEqual({ type: 'suspend', effect: { kind: 'receive', value: 9 } });
  });

  it('.replay() refuses a journal the coroutine no longer matches', () => {
    expect(() => Execution.replay(funcA, null, 't', 0, [{ k: 'receive', r: 1, t: 1 }])).toThrow(NonDeterminismError);
  });

  it('ctx.now() is the resume time recorded in the journal, the same on replay', () => {
    const times: number[] = [];
    const fn: Coroutine = function* (_input, ctx) {
      times.push(ctx.now());
      yield sleep(10);
      times.push(ctx.now());
      return ctx.now();
    };
    const first = Execution.start(fn, null, 't', 100);
    expect(first.execution.resume({ r: null, t: 111 })).toEqual({ type: 'complete', output: 111 });
    const again = Execution.replay(fn, null, 't', 100, [{ k: 'sleep', r: null, t: 111 }]);
    expect(again.outcome).toEqual({ type: 'complete', output: 111 });
    expect(times).toEqual([100, 111, 100, 111]);
  });

  it('an error sent in is thrown at the yield and can be caught', () => {
    const fn: Coroutine = function* () {
      try {
        yield http({ method: 'GET', url: 'http://x' });
        return 'no';
      } catch (err) {
        return (err as TaskError).status;
      }
    };
    const { execution } = Execution.start(fn, null, 't', 0);
    expect(execution.resume({ e: { type: ERROR_TYPES.communication, status: 503 }, t: 1 })).toEqual({
      type: 'complete',
      output: 503,
    });
  });

  it('an uncaught throw faults the task with the error recorded', () => {
    const fn: Coroutine = function* () {
      yield sleep(1);
      throw new RangeError('out of range');
    };
    const { execution } = Execution.start(fn, null, 't', 0);
    expect(execution.resume({ r: null, t: 1 })).toEqual({
      type: 'fault',
      error: { type: ERROR_TYPES.runtime, status: 500, title: 'RangeError', detail: 'out of range' },
    });
  });

  it('yielding something that is not an effect faults with a message saying so', () => {
    const fn: Coroutine = function* () {
      yield 42 as never;
    };
    const { outcome } = Execution.start(fn, null, 't', 0);
    expect(outcome.type).toBe('fault');
    expect(outcome.type === 'fault' && outcome.error.detail).toMatch(/must yield an effect.*42/);
  });

  it('.close() runs finally blocks', () => {
    let closed = false;
    const fn: Coroutine = function* () {
      try {
        yield receive();
      } finally {
        closed = true;
      }
    };
    Execution.start(fn, null, 't', 0).execution.close();
    expect(closed).toBe(true);
  });
});

describe('simulate', () => {
  it('runs func_a on a virtual clock in 3 s of three 1 s sleeps', () => {
    const run = simulate(funcA, null);
    expect(run.outcome).toEqual({ type: 'complete', output: 'a done' });
    expect(run.elapsedMs).toBe(3000);
    expect(run.journal.map((e) => e.k)).toEqual(['sleep', 'sleep', 'sleep']);
  });
});

describe('CoroutineRegistry', () => {
  it('registers the seed coroutines under their names', () => {
    const r = registerSeedCoroutines(new CoroutineRegistry());
    expect(r.names()).toEqual([
      'seed.consumer',
      'seed.func-a',
      'seed.func-b',
      'seed.interleave-a',
      'seed.interleave-b',
      'seed.num',
    ]);
  });
  it('refuses a duplicate or badly formed name', () => {
    const r = new CoroutineRegistry().register('x', funcA);
    expect(() => r.register('x', funcA)).toThrow(/already registered/);
    expect(() => r.register('has space', funcA)).toThrow(/must match/);
  });
});

describe('retryDelay', () => {
  it('follows constant, linear and exponential backoff and stops at the attempt limit', () => {
    expect([2, 3, 4].map((a) => retryDelay({ attempts: 4, delayMs: 100, backoff: 'constant' }, a))).toEqual([
      100, 100, 100,
    ]);
    expect([2, 3, 4].map((a) => retryDelay({ attempts: 4, delayMs: 100, backoff: 'linear' }, a))).toEqual([
      100, 200, 300,
    ]);
    expect([2, 3, 4].map((a) => retryDelay({ attempts: 4, delayMs: 100, backoff: 'exponential' }, a))).toEqual([
      100, 200, 400,
    ]);
    expect(retryDelay({ attempts: 4 }, 5)).toBeNull();
    expect(retryDelay({ delayMs: 100, backoff: 'constant', jitter: 0.5 }, 2, () => 1)).toBe(150);
  });
});

describe('ctx.record', () => {
  it('keeps live entries and drops the ones made while replaying', () => {
    const fn: Coroutine = function* (_i, ctx) {
      ctx.record('start');
      yield sleep(1);
      ctx.record('middle');
      yield sleep(1);
      ctx.record('end');
    };
    const live = Execution.start(fn, null, 't', 0);
    expect(live.execution.drainRecords()).toEqual(['start']);
    const replayed = Execution.replay(fn, null, 't', 0, [{ k: 'sleep', r: null, t: 1 }]);
    expect(replayed.execution.drainRecords()).toEqual([]);
    replayed.execution.resume({ r: null, t: 2 });
    expect(replayed.execution.drainRecords()).toEqual(['end']);
  });
});
