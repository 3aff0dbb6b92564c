import type { Coroutine } from './execution';
import type { Json } from './json';

export interface CoroutineOptions {
  /**
   * The key a concurrency limit on this coroutine counts by, from the task's input (e.g. the customer it
   * is for): with `POST /v1/concurrency { name, limit }` and no `key`, at most `limit` tasks per key run.
   */
  concurrencyKey?: (input: Json) => Json;
  /**
   * Its version (a positive integer, 1 when omitted). Several versions of one name may be registered side
   * by side: a new task gets the highest, and keeps the version it started with to its end (a worker runs
   * the version the task has), so changed code never meets the journal of older code.
   */
  version?: number;
}

/** What a coroutine may be named: a letter or digit, then up to 127 of letters, digits, `.`, `_` and `-`. */
export const COROUTINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Code-first coroutines, by name and version. Names are what `POST /v1/tasks { coroutine }` refers to. */
export class CoroutineRegistry {
  /** name → version → its function and options. */
  private readonly byName = new Map<string, Map<number, { fn: Coroutine; options: CoroutineOptions }>>();

  register(name: string, fn: Coroutine, options: CoroutineOptions = {}): this {
    if (!COROUTINE_NAME.test(name)) throw new TypeError(`coroutine name '${name}' must match ${COROUTINE_NAME}`);
    const version = options.version ?? 1;
    if (!Number.isSafeInteger(version) || version < 1)
      throw new TypeError(`coroutine '${name}': version must be a positive integer, got ${String(options.version)}`);
    let versions = this.byName.get(name);
    if (versions?.has(version)) throw new TypeError(`coroutine '${name}' version ${version} is already registered`);
    if (typeof fn !== 'function') throw new TypeError(`coroutine '${name}' must be a generator function`);
    if (!versions) this.byName.set(name, (versions = new Map()));
    versions.set(version, { fn, options });
    return this;
  }

  /** The concurrency key function registered with a coroutine (its latest version), if any. */
  concurrencyKeyOf(name: string): CoroutineOptions['concurrencyKey'] {
    const latest = this.latestVersion(name);
    return latest === undefined ? undefined : this.byName.get(name)!.get(latest)!.options.concurrencyKey;
  }

  /** A coroutine by name: the given version, or the latest. */
  get(name: string, version?: number): Coroutine | undefined {
    const v = version ?? this.latestVersion(name);
    return v === undefined ? undefined : this.byName.get(name)?.get(v)?.fn;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The version new tasks of `name` get: the highest registered. */
  latestVersion(name: string): number | undefined {
    const versions = this.versions(name);
    return versions.length ? versions[versions.length - 1] : undefined;
  }

  /** The registered versions of `name`, lowest first. */
  versions(name: string): number[] {
    return [...(this.byName.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
