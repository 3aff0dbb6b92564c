import { type Coroutine, type CoroutineRegistry, http, type HttpResponse, sleep } from '@yieldflow/runtime';

/**
 * Example coroutines, registered in every deployment so they can be tried from the API (and used by the
 * reliability tests). Each is a small instance of a pattern a real coroutine follows.
 */

/**
 * `demo.sleep-call`, input `{ url, ms? }`: sleep, call a webhook once, sleep again, and return what the
 * webhook answered. The call carries `Idempotency-Key: <task id>:<step>`, the same on every attempt, so
 * the callee can deduplicate a call the engine repeats after a worker crash.
 */
export const sleepCall: Coroutine = function* (input) {
  const { url, ms = 1000 } = (input ?? {}) as unknown as { url?: string; ms?: number };
  if (typeof url !== 'string') throw new TypeError('input.url must be a URL');
  yield sleep(ms, 'before');
  const res = (yield http({ method: 'POST', url, body: { step: 1 } })) as HttpResponse;
  yield sleep(ms, 'after');
  return res.body;
};

/** Half a second's work for one customer: limited per customer by its concurrency key. */
export const perCustomer: Coroutine = function* (input) {
  yield sleep(500, 'work');
  return { customer: (input as { customer?: { id?: string } } | null)?.customer?.id ?? null };
};

export function registerDemoCoroutines(registry: CoroutineRegistry): CoroutineRegistry {
  return registry.register('demo.sleep-call', sleepCall).register('demo.per-customer', perCustomer, {
    concurrencyKey: (input) => (input as { customer?: { id?: string } } | null)?.customer?.id ?? null,
  });
}
