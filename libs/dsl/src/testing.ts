import {
  ERROR_TYPES,
  type ChildResult,
  type Coroutine,
  type Effect,
  type HttpRequest,
  type Json,
  type Performed,
  simulate,
  type SimulatedRun,
  type TaskErrorData,
} from '@yieldflow/runtime';
import { compileWorkflow, type CompileOptions } from './compile';
import { JqEvaluator } from './expressions/evaluator';
import { parseWorkflow } from './parse';
import type { TraceEntry } from './trace';
import { validateWorkflow } from './validate';

/** Helpers for this library's tests: a definition run on the runtime's simulator, with its trace. */
export const testEvaluator = new JqEvaluator();

export function load(text: string | object, opts: CompileOptions = {}): Coroutine {
  return compileWorkflow(validateWorkflow(parseWorkflow(text)), { evaluator: testEvaluator, ...opts });
}

export interface World {
  /** Events to deliver, in order, to waitForEvent. */
  events?: Record<string, Json>[];
  http?: (
    req: HttpRequest,
    now: number,
  ) => { status: number; body?: Json; headers?: Record<string, string>; advanceMs?: number };
  spawn?: (
    effect: Extract<Effect, { kind: 'spawn' }>,
  ) => ChildResult[] | { results: ChildResult[] | ChildResult; advanceMs: number };
  /** Virtual time each event takes to arrive, ms (default 10). */
  eventDelayMs?: number;
}

export interface TracedRun extends SimulatedRun {
  trace: TraceEntry[];
  emitted: Record<string, Json>[];
}

/** Run a coroutine on the virtual clock, honouring effect deadlines the way the engine does. */
export function runWith(fn: Coroutine, input: Json, world: World = {}, start = Date.UTC(2026, 0, 1)): TracedRun {
  const trace: TraceEntry[] = [];
  const emitted: Record<string, Json>[] = [];
  const events = [...(world.events ?? [])];
  const traced: Coroutine = (i, ctx) =>
    fn(i, {
      taskId: ctx.taskId,
      now: () => ctx.now(),
      record: (e) => {
        trace.push(e as unknown as TraceEntry);
        ctx.record(e);
      },
      patched: (id) => ctx.patched(id),
    });
  const timeout = (effect: Effect, now: number, needMs: number): Performed | null =>
    'deadline' in effect && effect.deadline !== undefined && now + needMs > effect.deadline
      ? {
          error: { type: ERROR_TYPES.timeout, status: 408, title: 'Timeout', detail: 'deadline passed' },
          advanceMs: Math.max(0, effect.deadline - now),
        }
      : null;
  const perform = (effect: Effect, now: number): Performed | undefined => {
    switch (effect.kind) {
      case 'sleep':
        return timeout(effect, now, effect.ms) ?? { result: null, advanceMs: effect.ms };
      case 'waitForEvent': {
        const types = Array.isArray(effect.type) ? effect.type : [effect.type];
        const at = events.findIndex((e) => types.includes('*') || types.includes(String(e.type)));
        if (at < 0) return timeout(effect, now, Number.MAX_SAFE_INTEGER) ?? 'suspend';
        const delay = world.eventDelayMs ?? 10;
        return timeout(effect, now, delay) ?? { result: events.splice(at, 1)[0], advanceMs: delay };
      }
      case 'emit':
        emitted.push(effect.event as unknown as Record<string, Json>);
        return { result: effect.event as unknown as Json };
      case 'http': {
        if (!world.http) return 'suspend';
        const r = world.http(effect.request, now);
        const advanceMs = r.advanceMs ?? 5;
        const late = timeout(effect, now, advanceMs);
        if (late) return late;
        if (r.status < 200 || r.status > 299) {
          const error: TaskErrorData = {
            type: ERROR_TYPES.communication,
            status: r.status,
            title: 'Communication error',
            detail: `HTTP ${r.status}`,
          };
          // as the engine's http performer does: an answer not worth retrying carries the request's URL as its instance
          if (!(r.status === 408 || r.status === 429 || r.status >= 500)) error.instance = effect.request.url;
          return { error, advanceMs };
        }
        return {
          result: {
            status: r.status,
            headers: r.headers ?? { 'content-type': 'application/json' },
            body: r.body ?? null,
          },
          advanceMs,
        };
      }
      case 'spawn': {
        if (!world.spawn) return 'suspend';
        const r = world.spawn(effect);
        const { results, advanceMs } = Array.isArray(r) ? { results: r, advanceMs: 1 } : r;
        return timeout(effect, now, advanceMs) ?? { result: results as unknown as Json, advanceMs };
      }
      default:
        return undefined;
    }
  };
  const run = simulate(traced, input, perform, { start });
  return { ...run, trace, emitted };
}

/** Names of tasks in the order they started. */
export function started(run: TracedRun): string[] {
  return run.trace.filter((e) => e.phase === 'started').map((e) => e.task);
}

/** A spawn handler that runs child definitions (fork branches, or referenced workflows) on the simulator too. */
export function children(
  registry: Record<string, string | object> = {},
  world: World = {},
): NonNullable<World['spawn']> {
  return (effect) => {
    let n = 0;
    const runs = effect.children.map((spec) => {
      const id = `child-${++n}`;
      let fn: Coroutine;
      if ('definition' in spec) fn = load(spec.definition as object);
      else if ('definitionRef' in spec) {
        const ref = spec.definitionRef;
        const def = registry[`${ref.namespace}/${ref.name}:${ref.version}`];
        if (!def)
          return {
            result: {
              id,
              status: 'faulted',
              error: { type: ERROR_TYPES.runtime, status: 404, detail: 'no such workflow' },
            } as ChildResult,
            elapsed: 0,
          };
        fn = load(def);
      } else throw new Error('code-first children are not used here');
      const r = runWith(fn, spec.input ?? null, world);
      const result: ChildResult =
        r.outcome.type === 'complete'
          ? { id, status: 'completed', output: r.outcome.output }
          : r.outcome.type === 'fault'
            ? { id, status: 'faulted', error: r.outcome.error as unknown as Json }
            : { id, status: 'cancelled' };
      return { result, elapsed: r.elapsedMs };
    });
    if (effect.wait === 'any') {
      const first = runs.reduce((a, b) => (b.elapsed < a.elapsed ? b : a));
      // as the engine does: `any` resumes with the one result of the first child to end
      return { results: first.result, advanceMs: first.elapsed };
    }
    return { results: runs.map((r) => r.result), advanceMs: Math.max(1, ...runs.map((r) => r.elapsed)) };
  };
}

/** The output of a run that completed (fails the test otherwise). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads the fields it expects of the output
export function outputOf(run: SimulatedRun): any {
  if (run.outcome.type !== 'complete') throw new Error(`expected completion, got ${JSON.stringify(run.outcome)}`);
  return run.outcome.output;
}
