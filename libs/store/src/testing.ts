import type { Keys } from './keys';
import { internalsOf } from './internal';
import type { ScriptedRedis } from './scripts';
import type { TaskStore } from './task-store';

/**
 * White-box access for tests and benchmarks that look at (or damage) raw keys. Not exported from the
 * package; apps must not import it (the lint guard in eslint.config.mjs forbids it).
 */
export const keysOf = (store: TaskStore): Keys => internalsOf(store).keys;
export const redisOf = (store: TaskStore): ScriptedRedis => internalsOf(store).redis;
