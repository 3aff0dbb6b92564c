import type { Json } from './json';

/**
 * Effects are data. A coroutine yields one of these descriptors; the dispatcher performs it outside the
 * coroutine and sends the result back in as the value of the `yield` (the seed's `n = yield r`).
 *
 * `deadline` (epoch ms), on any waiting effect, bounds the wait: past it the coroutine is resumed by a
 * TaskError of the timeout type thrown at its `yield`.
 */
export interface SleepEffect {
  kind: 'sleep';
  ms: number;
  label?: string;
  deadline?: number;
}
export interface SleepUntilEffect {
  kind: 'sleepUntil';
  at: number;
  label?: string;
  deadline?: number;
}
/** Suspend, publish `value` to whoever drives the task, and resume with the value a client sends in. */
export interface ReceiveEffect {
  kind: 'receive';
  value: Json;
  deadline?: number;
}
/**
 * Wait for a CloudEvent whose type is `type` (or one of them) in the task's namespace; resumes with the
 * event (an object with id, type, source, time, data, ...), or with null when `timeoutMs` passes first.
 * Finer filters (source, data, correlation) are the coroutine's to check: it waits again on a mismatch.
 * An event published while the task was running towards this wait is delivered, not lost.
 */
export interface WaitForEventEffect {
  kind: 'waitForEvent';
  type: string | string[];
  timeoutMs?: number;
  deadline?: number;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Json;
  /** Follow 3xx answers (default true). */
  redirect?: boolean;
}
export interface RetryPolicy {
  /** Total attempts including the first (default 3). */
  attempts?: number;
  /** Delay before the first retry, ms (default 200). */
  delayMs?: number;
  backoff?: 'constant' | 'linear' | 'exponential';
  /** Upper bound on one delay, ms (default 30,000). */
  maxDelayMs?: number;
  /** Fraction of the delay added at random, 0..1 (default 0). */
  jitter?: number;
}
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Json;
}
/** An IO call performed by the worker; resumes with the HttpResponse. Never performed again once completed. */
export interface HttpEffect {
  kind: 'http';
  request: HttpRequest;
  retry?: RetryPolicy;
  deadline?: number;
}

export interface CloudEventInput {
  type: string;
  source: string;
  id?: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  data?: Json;
  [extension: string]: Json | undefined;
}
/** Publish an event to the task's namespace (tasks waiting for it wake); resumes with the event as sent. */
export interface EmitEffect {
  kind: 'emit';
  event: CloudEventInput;
}

export type ChildSpec =
  | { coroutine: string; input?: Json }
  | { definition: Json; input?: Json }
  | { definitionRef: { namespace?: string; name: string; version?: string }; input?: Json };
export interface ChildResult {
  id: string;
  status: 'completed' | 'faulted' | 'cancelled';
  output?: Json;
  error?: Json;
}
/**
 * Start child tasks and suspend until they end: `all` resumes with every ChildResult in order, `any` with
 * the first to end (the others are cancelled).
 */
export interface SpawnEffect {
  kind: 'spawn';
  children: ChildSpec[];
  wait: 'all' | 'any';
  deadline?: number;
}

/**
 * Start a task that is not a child (its end does not wake this one) and resume with what the worker
 * answers: `{ id }`, or for a schedule's fire what became of it. `id` is the task's id, derived by the
 * caller from what makes the start unique (a schedule's id and fire time), so a repeat starts nothing.
 * `schedule` carries what the worker checks and records for a schedule's fire.
 */
export interface StartEffect {
  kind: 'start';
  id: string;
  task: ChildSpec;
  schedule?: Json;
  deadline?: number;
}

/**
 * Run the activity handler registered under `name` on the worker (where injected services belong) with
 * `args`, retried per `retry` as `http` is; resumes with its result, or throws its final error as a
 * TaskError. Performed once per step: its result is journaled and never performed again once it is.
 */
export interface ActivityEffect {
  kind: 'activity';
  name: string;
  args: Json;
  retry?: RetryPolicy;
  /** One attempt's time limit, ms (default none): past it the attempt fails with a timeout (408, retried). */
  timeoutMs?: number;
  deadline?: number;
}

/** BullMQ job options a `job` step passes on (the job id is the step's own, and its parent is the engine's). */
export interface JobOptions {
  attempts?: number;
  backoff?: number | { type: 'fixed' | 'exponential'; delay?: number };
  delay?: number;
  priority?: number;
  lifo?: boolean;
  removeOnComplete?: boolean | number;
  removeOnFail?: boolean | number;
}
/**
 * Add a job to the BullMQ queue `queue` (processed by an ordinary BullMQ Worker) and suspend until it has
 * completed, resuming with its return value, or until BullMQ has given up retrying it, throwing its
 * failure as a TaskError. The job id is derived from the task and step: a repeat adds nothing.
 */
export interface JobEffect {
  kind: 'job';
  queue: string;
  name: string;
  data: Json;
  opts?: JobOptions;
  deadline?: number;
}

export type Effect =
  | ActivityEffect
  | JobEffect
  | StartEffect
  | SleepEffect
  | SleepUntilEffect
  | ReceiveEffect
  | WaitForEventEffect
  | HttpEffect
  | EmitEffect
  | SpawnEffect;
export type EffectKind = Effect['kind'];

export const sleep = (ms: number, label?: string): SleepEffect =>
  label === undefined ? { kind: 'sleep', ms } : { kind: 'sleep', ms, label };
export const sleepUntil = (at: number | Date, label?: string): SleepUntilEffect => {
  const ms = at instanceof Date ? at.getTime() : at;
  return label === undefined ? { kind: 'sleepUntil', at: ms } : { kind: 'sleepUntil', at: ms, label };
};
export const receive = (value: Json = null): ReceiveEffect => ({ kind: 'receive', value });
export const waitForEvent = (type: string | string[], opts: { timeoutMs?: number } = {}): WaitForEventEffect =>
  opts.timeoutMs === undefined
    ? { kind: 'waitForEvent', type }
    : { kind: 'waitForEvent', type, timeoutMs: opts.timeoutMs };
export const http = (request: HttpRequest, retry?: RetryPolicy): HttpEffect =>
  retry ? { kind: 'http', request, retry } : { kind: 'http', request };
export const emit = (event: CloudEventInput): EmitEffect => ({ kind: 'emit', event });
export const spawn = (children: ChildSpec[], wait: 'all' | 'any' = 'all'): SpawnEffect => ({
  kind: 'spawn',
  children,
  wait,
});
export const start = (id: string, task: ChildSpec, schedule?: Json): StartEffect =>
  schedule === undefined ? { kind: 'start', id, task } : { kind: 'start', id, task, schedule };
export const activity = (
  name: string,
  args: Json = null,
  opts: { retry?: RetryPolicy; timeoutMs?: number } = {},
): ActivityEffect => {
  const effect: ActivityEffect = { kind: 'activity', name, args };
  if (opts.retry) effect.retry = opts.retry;
  if (opts.timeoutMs !== undefined) effect.timeoutMs = opts.timeoutMs;
  return effect;
};
export const job = (queue: string, name: string, data: Json = null, opts?: JobOptions): JobEffect =>
  opts ? { kind: 'job', queue, name, data, opts } : { kind: 'job', queue, name, data };
