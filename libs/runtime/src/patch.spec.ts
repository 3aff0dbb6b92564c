import { waitForEvent, receive, sleep } from './effects';
import { NonDeterminismError } from './errors';
import { type Coroutine, Execution, type JournalEntry } from './execution';
import { patched } from './patch';
import { CoroutineRegistry } from './registry';

const before: Coroutine = function* () {
  yield sleep(10, 'prepare');
  const a = yield receive('ready');
  return { path: 'old', a };
};
// the change: a new first step, for new tasks only
const after: Coroutine = function* () {
  if (patched('check-stock')) yield waitForEvent('stock.checked', { timeoutMs: 20 });
  yield sleep(10, 'prepare');
  const a = yield receive('ready');
  return { path: patched('check-stock') ? 'new' : 'old', a };
};
const naive: Coroutine = function* () {
  yield waitForEvent('stock.checked', { timeoutMs: 20 });
  yield sleep(10, 'prepare');
  return { path: 'new', a: yield receive('ready') };
};
// a task of the old code, suspended in its receive
const oldJournal: JournalEntry[] = [{ k: 'sleep', r: null, t: 10 }];

describe('patched()', () => {
  it('a new task takes the new path, and the decision is kept', () => {
    const { execution, outcome } = Execution.start(after, null, 't', 0);
    expect(outcome).toMatchObject({ type: 'suspend', effect: { kind: 'waitForEvent' } });
    expect(execution.drainPatches()).toBe('{"check-stock":true}');
    expect(execution.drainPatches()).toBeUndefined(); // nothing new since
  });

  it('a task of the old code, replayed, takes the old path; no NonDeterminismError', () => {
    expect(() => Execution.replay(naive, null, 't', 0, oldJournal)).toThrow(NonDeterminismError);
    const { execution, outcome } = Execution.replay(after, null, 't', 0, oldJournal);
    expect(outcome).toMatchObject({ type: 'suspend', effect: { kind: 'receive' } });
    expect(execution.resume({ r: 'x', t: 20 })).toEqual({ type: 'complete', output: { path: 'old', a: 'x' } });
    expect(execution.drainPatches()).toBe('{"check-stock":false}');
  });

  it('the code that yielded the pending effect counts as old too (a task suspended at its first step)', () => {
    const legacy: Coroutine = function* () {
      return { a: yield receive('ready') };
    };
    const changed: Coroutine = function* () {
      if (patched('greet')) yield sleep(1, 'greet');
      return { a: yield receive('ready') };
    };
    Execution.start(legacy, null, 't', 0);
    const { outcome } = Execution.replay(changed, null, 't', 0, []);
    expect(outcome).toMatchObject({ type: 'suspend', effect: { kind: 'receive' } });
  });

  it('a new-path task replayed with its kept decisions stays on the new path', () => {
    const journal: JournalEntry[] = [
      { k: 'waitForEvent', r: null, t: 20 },
      { k: 'sleep', r: null, t: 30 },
    ];
    const { execution, outcome } = Execution.replay(after, null, 't', 0, journal, { 'check-stock': true });
    expect(outcome).toMatchObject({ type: 'suspend', effect: { kind: 'receive' } });
    expect(execution.resume({ r: 'y', t: 40 })).toEqual({ type: 'complete', output: { path: 'new', a: 'y' } });
    // without them the same journal would not replay
    expect(() => Execution.replay(after, null, 't', 0, journal)).toThrow(NonDeterminismError);
  });

  it('a patch first reached live by an old task takes the new path (it is past the old code)', () => {
    const later: Coroutine = function* () {
      yield sleep(10, 'prepare');
      const a = yield receive('ready');
      if (patched('notify')) yield sleep(5, 'notify');
      return a;
    };
    const { execution } = Execution.replay(later, null, 't', 0, oldJournal);
    expect(execution.resume({ r: 'x', t: 20 })).toMatchObject({
      type: 'suspend',
      effect: { kind: 'sleep', label: 'notify' },
    });
  });

  it('ctx.patched() is the same; outside a coroutine, or with a bad id, it throws', () => {
    const viaCtx: Coroutine = function* (_i, ctx) {
      return ctx.patched('a') && patched('a');
    };
    expect(Execution.start(viaCtx, null, 't', 0).outcome).toEqual({ type: 'complete', output: true });
    expect(() => patched('a')).toThrow(/outside a running coroutine/);
    const bad: Coroutine = function* () {
      return patched('no spaces');
    };
    expect(Execution.start(bad, null, 't', 0).outcome).toMatchObject({
      type: 'fault',
      error: { detail: expect.stringMatching(/changeId must be/) },
    });
  });
});

describe('CoroutineRegistry versions', () => {
  it('registers versions side by side; new tasks get the latest', () => {
    const r = new CoroutineRegistry().register('ship', before).register('ship', after, { version: 2 });
    expect(r.versions('ship')).toEqual([1, 2]);
    expect(r.latestVersion('ship')).toBe(2);
    expect(r.get('ship')).toBe(after);
    expect(r.get('ship', 1)).toBe(before);
    expect(r.get('ship', 3)).toBeUndefined();
    expect(r.names()).toEqual(['ship']);
  });

  it('refuses a version twice, or one that is not a positive integer', () => {
    const r = new CoroutineRegistry().register('ship', before, { version: 2 });
    expect(() => r.register('ship', after, { version: 2 })).toThrow(/'ship' version 2 is already registered/);
    expect(() => r.register('ship', after, { version: 0 })).toThrow(/version must be a positive integer, got 0/);
    expect(() => r.register('ship', after, { version: 1.5 })).toThrow(/positive integer/);
  });
});
