import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** How long after its last announcement a coroutine counts as served by a live worker (workers announce every heartbeat). */
export const LIVE_MS = 5_000;

/** The names a process knows without asking Redis (its own registry). */
export interface KnownCoroutines {
  has(name: string): boolean;
  names(): string[];
}

/**
 * The coroutines of a deployment: those this process registered, and those any worker announced
 * (`TaskStore.announce`, each name with when it last did). A name once announced stays accepted, so a
 * task of it can be submitted while no worker of it runs: it waits, queued, for one.
 */
export class CoroutineCatalog {
  private readonly seen = new Set<string>();

  constructor(
    private readonly store: TaskStore,
    private readonly local: KnownCoroutines = { has: () => false, names: () => [] },
  ) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  async has(name: string): Promise<boolean> {
    if (this.local.has(name) || this.seen.has(name)) return true;
    if ((await this.redis.hexists(this.keys.coroutines, name)) !== 1) return false;
    this.seen.add(name);
    return true;
  }

  async names(): Promise<string[]> {
    const announced = await this.redis.hkeys(this.keys.coroutines);
    return [...new Set([...this.local.names(), ...announced])].sort();
  }

  /** When a worker running the coroutine last announced it (ms), or null if none ever did. */
  async lastSeen(name: string): Promise<number | null> {
    const at = await this.redis.hget(this.keys.coroutines, name);
    return at === null ? null : Number(at);
  }
}
