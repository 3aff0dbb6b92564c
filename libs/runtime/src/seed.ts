import { receive, sleep } from './effects';
import type { Coroutine } from './execution';
import type { Json } from './json';
import type { CoroutineRegistry } from './registry';

/** The seed's func_a: sleep 1 s three times. */
export const funcA: Coroutine = function* () {
  yield sleep(1000, 'a1');
  yield sleep(1000, 'a2');
  yield sleep(1000, 'a3');
  return 'a done';
};

/** The seed's func_b: sleep 3 s once. */
export const funcB: Coroutine = function* () {
  yield sleep(3000, 'b1');
  return 'b done';
};

/**
 * The seed's producer/consumer consumer: yields '' when primed, then '200 OK' after each value it
 * consumes; returns the values it consumed when sent a falsy value.
 */
export const consumer: Coroutine = function* () {
  const consumed: Json[] = [];
  let r = '';
  for (;;) {
    const n: Json = yield receive(r);
    if (!n) return consumed;
    consumed.push(n);
    r = '200 OK';
  }
};

/** The seed's num(): `a = yield 1; while True: a = yield a`. */
export const num: Coroutine = function* () {
  let a: Json = yield receive(1);
  for (;;) a = yield receive(a);
};

/**
 * The seed's A and B interleaving (`1 2 x y 3 z`): each step is a labelled sleep, so the two tasks'
 * timelines, merged by resume time, read 1 2 x y 3 z.
 */
export const interleaveA: Coroutine = function* () {
  yield sleep(50, '1');
  yield sleep(50, '2');
  yield sleep(300, '3');
};
export const interleaveB: Coroutine = function* () {
  yield sleep(200, 'x');
  yield sleep(100, 'y');
  yield sleep(200, 'z');
};

export function registerSeedCoroutines(registry: CoroutineRegistry): CoroutineRegistry {
  return registry
    .register('seed.func-a', funcA)
    .register('seed.func-b', funcB)
    .register('seed.consumer', consumer)
    .register('seed.num', num)
    .register('seed.interleave-a', interleaveA)
    .register('seed.interleave-b', interleaveB);
}
