/**
 * Yieldflow for your own code: declare coroutines, run a worker in your process, call the api.
 * The NestJS module is `yieldflow/nest`.
 */
export {
  sleep,
  sleepUntil,
  receive,
  waitForEvent,
  http,
  emit,
  spawn,
  start,
  activity,
  job,
  TaskError,
  ERROR_TYPES,
} from '@yieldflow/runtime';
export type {
  ChildResult,
  ChildSpec,
  CloudEventInput,
  CoroutineContext,
  CoroutineOptions,
  Effect,
  HttpRequest,
  HttpResponse,
  JobOptions,
  Json,
  RetryPolicy,
  YieldResult,
} from '@yieldflow/runtime';
export { defineCoroutine, type AnyCoroutineDefinition, type CoroutineDefinition, type CoroutineFn } from './define';
export {
  createWorker,
  groupOf,
  OTEL_PACKAGES,
  type ActivityContext,
  type ActivityFn,
  type BullmqOptions,
  type CreateWorkerOptions,
  type YieldflowWorker,
} from './worker';
// the REST client (libs/client): submit, get, wait, result, send, cancel, batch, publish; typed errors
export * from '@yieldflow/client';
