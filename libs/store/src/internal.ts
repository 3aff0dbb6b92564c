import type { Keys } from './keys';
import type { ScriptedRedis } from './scripts';

/**
 * A TaskStore's connection and key layout, for the store's own classes only: this module is not exported
 * from the package, so apps reach Redis through the store's classes and never build a key.
 */
export interface StoreInternals {
  redis: ScriptedRedis;
  keys: Keys;
}

const internals = new WeakMap<object, StoreInternals>();

export function registerInternals(store: object, parts: StoreInternals): void {
  internals.set(store, parts);
}

export function internalsOf(store: object): StoreInternals {
  const parts = internals.get(store);
  if (!parts) throw new TypeError('not a TaskStore');
  return parts;
}
