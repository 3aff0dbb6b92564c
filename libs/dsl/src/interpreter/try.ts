import { ERROR_TYPES, sleep, TaskError, type Json } from '@yieldflow/runtime';
import { configurationError } from '../errors';
import { truthy } from '../expressions/expr';
import type { Duration, TaskDef } from '../types';
import { args, asTaskError, bounded, durationOf, errorJson, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

interface RetryDef {
  when?: string;
  exceptWhen?: string;
  delay?: Duration;
  backoff?: { constant?: object; linear?: object; exponential?: object };
  limit?: { attempt?: { count?: number; duration?: Duration }; duration?: Duration };
  jitter?: { from: Duration; to: Duration };
}

/**
 * `try`: run the task list; an error that passes the catch filter is retried per the retry policy, then
 * handled by `catch.do` (or swallowed when there is no retry policy and no `do`).
 */
export function* runTry(run: Run, _name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  const c = task.catch ?? {};
  const as: string = c.as ?? 'error';
  const retry = retryPolicy(run, c.retry, `${pointer}/catch/retry`);
  const firstStart = run.ctx.now();
  for (let attempt = 1; ; attempt++) {
    const attemptStart = run.ctx.now();
    try {
      return yield* run.list(task.try, `${pointer}/try`, input, scope);
    } catch (err) {
      if (err instanceof TaskError && err.budget) throw err; // a budget (this run's, or a spawn's) no retry may lift
      const error = asTaskError(err, `${pointer}/try`);
      const errScope: Scope = { vars: { ...scope.vars, [as]: errorJson(error) }, task: scope.task };
      if (!caught(run, c, error, input, errScope, pointer)) throw error;
      if (retry) {
        const delay = nextDelay(run, retry, attempt, attemptStart, firstStart, error, input, errScope, pointer);
        if (delay !== null) {
          yield bounded(run, sleep(delay, `retry ${attempt}`));
          continue;
        }
        if (!c.do) throw error;
      }
      if (!c.do) return { output: input };
      return yield* run.list(c.do, `${pointer}/catch/do`, input, errScope);
    }
  }
}

function retryPolicy(run: Run, ref: unknown, pointer: string): RetryDef | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') {
    const def = run.doc.use?.retries?.[ref];
    if (!def) throw configurationError(`no retry policy named '${ref}' in use.retries`, pointer);
    return def as RetryDef;
  }
  return ref as RetryDef;
}

const STANDARD = /^https:\/\/serverlessworkflow\.io\/(?:spec\/[^/]+\/errors|dsl\/errors\/types)\/([a-z]+)$/;
/** Standard error types compare by their last segment, so the CTK's `/dsl/errors/types/x` matches `/spec/1.0.0/errors/x`. */
function sameType(filter: string, actual: string): boolean {
  if (filter === actual) return true;
  const a = STANDARD.exec(filter);
  const b = STANDARD.exec(actual);
  return !!a && !!b && a[1] === b[1] && Object.keys(ERROR_TYPES).includes(a[1]);
}

function caught(run: Run, c: TaskDef, error: TaskError, input: Json, scope: Scope, pointer: string): boolean {
  const w = c.errors?.with as Record<string, Json> | undefined;
  if (w) {
    const data = error.toJSON() as unknown as Record<string, Json>;
    for (const [k, v] of Object.entries(w)) {
      if (k === 'type' ? !sameType(String(v), String(data.type)) : data[k] !== v) return false;
    }
  }
  const a = args(run, scope, { input });
  if (c.when !== undefined && !truthy(run.ex.bare(c.when, input, a, `${pointer}/catch/when`))) return false;
  if (c.exceptWhen !== undefined && truthy(run.ex.bare(c.exceptWhen, input, a, `${pointer}/catch/exceptWhen`)))
    return false;
  return true;
}

/** Delay before the next attempt (ms), or null when the policy allows no more. */
function nextDelay(
  run: Run,
  p: RetryDef,
  attempt: number,
  attemptStart: number,
  firstStart: number,
  error: TaskError,
  input: Json,
  scope: Scope,
  pointer: string,
): number | null {
  const a = args(run, scope, { input });
  if (p.when !== undefined && !truthy(run.ex.bare(p.when, input, a, `${pointer}/catch/retry/when`))) return null;
  if (p.exceptWhen !== undefined && truthy(run.ex.bare(p.exceptWhen, input, a, `${pointer}/catch/retry/exceptWhen`)))
    return null;
  const count = p.limit?.attempt?.count;
  if (count !== undefined && attempt > count) return null; // count retries after the first attempt
  const now = run.ctx.now();
  const ms = (d: Duration, at: string): number => durationOf(run, d, input, scope, `${pointer}/catch/retry${at}`);
  if (
    p.limit?.attempt?.duration !== undefined &&
    now - attemptStart > ms(p.limit.attempt.duration, '/limit/attempt/duration')
  )
    return null;
  const base = p.delay === undefined ? 0 : ms(p.delay, '/delay');
  let delay = base;
  if (p.backoff?.linear) delay = base * attempt;
  else if (p.backoff?.exponential) delay = base * 2 ** (attempt - 1);
  if (p.jitter) {
    const from = ms(p.jitter.from, '/jitter/from');
    const to = ms(p.jitter.to, '/jitter/to');
    delay += from + (to > from ? deterministic(`${run.ctx.taskId}:${pointer}:${attempt}:${now}`) % (to - from + 1) : 0);
  }
  if (p.limit?.duration !== undefined && now + delay - firstStart > ms(p.limit.duration, '/limit/duration'))
    return null;
  void error;
  return delay;
}

/** FNV-1a: the same "random" jitter on replay. */
function deterministic(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
