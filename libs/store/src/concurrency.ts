import { createHash } from 'node:crypto';
import type { Json } from '@yieldflow/runtime';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';
import type { NewTask } from './types';

/** A limit on how many tasks of one coroutine or definition run at once, overall or per key value. */
export interface ConcurrencyLimit {
  /** A coroutine's name, or a definition's '<namespace>/<name>' (every version). */
  name: string;
  limit: number;
  /** A path into the input ('${ .customerId }', '.customer.id' or 'customer.id'): a limit per value. */
  key?: string;
}

const PATH = /^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The path of a key expression, or null when it is not a plain path. */
export function keyPath(expr: string): string[] | null {
  const m = /^\$\{\s*(.*?)\s*\}$/.exec(expr.trim());
  const path = (m ? m[1] : expr).trim();
  if (!PATH.test(path)) return null;
  return path.replace(/^\./, '').split('.');
}

function valueAt(input: Json, path: string[]): Json {
  let v: Json = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, k))
      return null;
    v = (v as Record<string, Json>)[k];
  }
  return v;
}

/**
 * A namespace's concurrency limits (`<prefix>:cc:<ns>`), read at most once a second per namespace, so a
 * submission with no limit configured costs no more than before. `slotFor` says which slot a task takes.
 */
export class ConcurrencyLimits {
  private readonly cache = new Map<string, { at: number; limits: Map<string, ConcurrencyLimit> }>();

  constructor(
    private readonly store: TaskStore,
    private readonly cacheMs = 1000,
  ) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  async set(namespace: string, limit: ConcurrencyLimit): Promise<void> {
    await this.redis.hset(this.keys.concurrency(namespace), limit.name, JSON.stringify(limit));
    this.cache.delete(namespace);
  }

  async remove(namespace: string, name: string): Promise<boolean> {
    this.cache.delete(namespace);
    return (await this.redis.hdel(this.keys.concurrency(namespace), name)) === 1;
  }

  async list(namespace: string): Promise<ConcurrencyLimit[]> {
    const h = await this.redis.hgetall(this.keys.concurrency(namespace));
    return Object.values(h)
      .map((v) => JSON.parse(v) as ConcurrencyLimit)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The slot a new task takes under its name's limit (per key, by `keyOf` when the limit names none), or undefined when none applies. */
  async slotFor(task: NewTask, keyOf?: (task: NewTask) => Json, now = Date.now()): Promise<NewTask['slot']> {
    let entry = this.cache.get(task.namespace);
    if (!entry || now - entry.at > this.cacheMs) {
      const limits = new Map((await this.list(task.namespace)).map((l) => [l.name, l]));
      entry = { at: now, limits };
      this.cache.set(task.namespace, entry);
    }
    if (entry.limits.size === 0) return undefined;
    // a definition task's name is '<namespace>/<name>@<version>': limits apply to every version
    const name = task.kind === 'definition' ? task.name.replace(/@[^@/]*$/, '') : task.name;
    const limit = entry.limits.get(name);
    if (!limit) return undefined;
    // the limit's own key path, else the key function its coroutine was registered with, else one slot
    const path = limit.key ? keyPath(limit.key) : null;
    const value = path ? JSON.stringify(valueAt(task.input, path)) : keyOf ? JSON.stringify(keyOf(task) ?? null) : '';
    const hash = createHash('sha256').update(`${name}\u0000${value}`).digest('base64url').slice(0, 22);
    return { prefix: this.keys.slot(task.namespace, hash), limit: limit.limit };
  }

  /** How many hold a slot of a limit and key value, and how many wait. */
  async usage(
    namespace: string,
    name: string,
    keyValue: Json = null,
    hasKey = false,
  ): Promise<{ running: number; waiting: number }> {
    const hash = createHash('sha256')
      .update(`${name}\u0000${hasKey ? JSON.stringify(keyValue) : ''}`)
      .digest('base64url')
      .slice(0, 22);
    const prefix = this.keys.slot(namespace, hash);
    const [running, waiting] = await Promise.all([this.redis.scard(`${prefix}h`), this.redis.zcard(`${prefix}w`)]);
    return { running, waiting };
  }
}
