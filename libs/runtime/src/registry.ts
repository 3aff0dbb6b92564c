import type { Coroutine } from './execution';
import type { Json } from './json';

export interface CoroutineOptions {
  /**
   * The key a concurrency limit on this coroutine counts by, from the task's input (e.g. the customer it
   * is for): with `POST /v1/concurrency { name, limit }` and no `key`, at most `limit` tasks per key run.
   */
  concurrencyKey?: (input: Json) => Json;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/** Code-first coroutines, by name. Names are what `POST /v1/tasks { coroutine }` refers to. */
export class CoroutineRegistry {
  private readonly byName = new Map<string, Coroutine>();
  private readonly options = new Map<string, CoroutineOptions>();

  register(name: string, fn: Coroutine, options: CoroutineOptions = {}): this {
    if (!NAME.test(name)) throw new TypeError(`coroutine name '${name}' must match ${NAME}`);
    if (this.byName.has(name)) throw new TypeError(`coroutine '${name}' is already registered`);
    if (typeof fn !== 'function') throw new TypeError(`coroutine '${name}' must be a generator function`);
    this.byName.set(name, fn);
    this.options.set(name, options);
    return this;
  }

  /** The concurrency key function registered with a coroutine, if any. */
  concurrencyKeyOf(name: string): CoroutineOptions['concurrencyKey'] {
    return this.options.get(name)?.concurrencyKey;
  }

  get(name: string): Coroutine | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
