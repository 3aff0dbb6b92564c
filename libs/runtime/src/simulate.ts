import type { Effect } from './effects';
import type { TaskErrorData } from './errors';
import { type Coroutine, Execution, type JournalEntry, type Outcome } from './execution';
import type { Json } from './json';

/** What a simulated performer answers for an effect: a result, an error thrown in, or "stay suspended". */
export type Performed = { result: Json; advanceMs?: number } | { error: TaskErrorData; advanceMs?: number } | 'suspend';
export type Performer = (effect: Effect, now: number) => Performed | undefined;

export interface SimulatedRun {
  outcome: Outcome;
  journal: JournalEntry[];
  effects: Effect[];
  /** Virtual time at the end, ms after the start. */
  elapsedMs: number;
}

/**
 * Run a coroutine to its end (or to an effect the performer leaves suspended) on a virtual clock, with
 * no Redis and no timers: sleeps advance the clock, everything else asks `perform` (which may answer
 * undefined for the defaults: sleeps, null for waitForEvent after its timeout, the event for emit).
 * Used by the runtime's and the DSL's tests; the journal it returns replays like a stored one.
 */
export function simulate(
  fn: Coroutine,
  input: Json,
  perform: Performer = () => undefined,
  opts: { start?: number; maxSteps?: number } = {},
): SimulatedRun {
  const start = opts.start ?? Date.UTC(2026, 0, 1);
  let now = start;
  const journal: JournalEntry[] = [];
  const effects: Effect[] = [];
  const { execution, outcome: first } = Execution.start(fn, input, 'simulated', now);
  let outcome = first;
  const maxSteps = opts.maxSteps ?? 100_000;
  while (outcome.type === 'suspend') {
    if (journal.length >= maxSteps) throw new Error(`simulate: more than ${maxSteps} steps`);
    const effect = outcome.effect;
    effects.push(effect);
    const answer = perform(effect, now) ?? defaultPerform(effect, now);
    if (answer === 'suspend') break;
    now += answer.advanceMs ?? 0;
    const entry: JournalEntry =
      'error' in answer ? { k: effect.kind, e: answer.error, t: now } : { k: effect.kind, r: answer.result, t: now };
    journal.push(entry);
    outcome = execution.resume(entry);
  }
  return { outcome, journal, effects, elapsedMs: now - start };
}

function defaultPerform(effect: Effect, now: number): Performed {
  switch (effect.kind) {
    case 'sleep':
      return { result: null, advanceMs: Math.max(0, effect.ms) };
    case 'sleepUntil':
      return { result: null, advanceMs: Math.max(0, effect.at - now) };
    case 'waitForEvent':
      return effect.timeoutMs === undefined ? 'suspend' : { result: null, advanceMs: effect.timeoutMs };
    case 'emit':
      return { result: effect.event as unknown as Json };
    default:
      return 'suspend';
  }
}
