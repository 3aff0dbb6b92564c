import type { Coroutine } from './execution';

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

/** Code-first coroutines, by name. Names are what `POST /v1/tasks { coroutine }` refers to. */
export class CoroutineRegistry {
  private readonly byName = new Map<string, Coroutine>();

  register(name: string, fn: Coroutine): this {
    if (!NAME.test(name)) throw new TypeError(`coroutine name '${name}' must match ${NAME}`);
    if (this.byName.has(name)) throw new TypeError(`coroutine '${name}' is already registered`);
    if (typeof fn !== 'function') throw new TypeError(`coroutine '${name}' must be a generator function`);
    this.byName.set(name, fn);
    return this;
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
