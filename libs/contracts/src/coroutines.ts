import { CoroutineRegistry, registerSeedCoroutines } from '@yieldflow/runtime';
import { registerDemoCoroutines } from './demo-coroutines';
import { registerScheduleCoroutine } from './schedule-coroutine';

/**
 * The code-first coroutines this deployment runs, shared by the api (to check names at submission) and
 * the workers (to run them). Register your own here: `registry.register('orders.ship', function* (input) { ... })`.
 */
export function createCoroutineRegistry(): CoroutineRegistry {
  const registry = new CoroutineRegistry();
  registerSeedCoroutines(registry);
  registerDemoCoroutines(registry); // examples: demo-coroutines.ts
  registerScheduleCoroutine(registry); // runs schedules: schedule-coroutine.ts
  return registry;
}
