import {
  COROUTINE_NAME,
  type CoroutineContext,
  type CoroutineOptions,
  type Effect,
  type Json,
  type YieldResult,
} from '@yieldflow/runtime';

/** A coroutine's body: a generator function of its input that yields effects and returns its output. */
export type CoroutineFn<I extends Json = Json, O extends Json | void = Json | void> = (
  input: I,
  ctx: CoroutineContext,
) => Generator<Effect, O, YieldResult>;

/** A coroutine as a worker runs it: the name tasks are submitted under, and its body. */
export interface CoroutineDefinition<I extends Json = Json, O extends Json | void = Json | void> {
  readonly name: string;
  readonly fn: CoroutineFn<I, O>;
  readonly options: CoroutineOptions;
}

/** A coroutine of any input type (a worker calls each with the JSON its tasks were submitted with). */
export type AnyCoroutineDefinition = CoroutineDefinition<never, Json | void>;

/**
 * Declare a coroutine: `POST /v1/tasks { "coroutine": name }` starts it, and a worker given it runs it.
 * Between two yields it must be deterministic (use `ctx.now()`, not `Date.now()`): it is replayed from its
 * journal after a crash. Names starting with `yf.` are the engine's own.
 */
export function defineCoroutine<I extends Json = Json, O extends Json | void = Json | void>(
  name: string,
  fn: CoroutineFn<I, O>,
  options: CoroutineOptions = {},
): CoroutineDefinition<I, O> {
  if (typeof name !== 'string' || !COROUTINE_NAME.test(name))
    throw new TypeError(`defineCoroutine: name '${String(name)}' must match ${COROUTINE_NAME}`);
  if (name.startsWith('yf.'))
    throw new TypeError(`defineCoroutine: name '${name}' is reserved (names starting with 'yf.' are the engine's)`);
  if (typeof fn !== 'function')
    throw new TypeError(`defineCoroutine: coroutine '${name}' needs a generator function, got ${typeof fn}`);
  return Object.freeze({ name, fn, options });
}
