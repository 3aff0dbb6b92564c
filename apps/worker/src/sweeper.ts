import type { TaskStore } from '@yieldflow/store';

/** What the sweeper needs of the dispatcher: the partitions it owns, and each one's lease token. */
export interface PartitionOwner {
  readonly partitionsOwned: number[];
  tokenOf(partition: number): string | undefined;
}

export interface SweeperOptions {
  /** The longest wait between two looks at the owned partitions' expiry sets (RETENTION_SWEEP_MS). */
  everyMs: number;
  /** Tasks one script call removes at most (default 500). */
  batch?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
}

/**
 * Retention: removes the finished tasks of the partitions this worker owns once their expiry passes. No
 * scan of tasks: each end transition entered the task in its partition's expiry set, scored by when it
 * expires; one timer, set for the earliest expiry of the owned partitions (at most `everyMs` away, so a
 * partition taken over or a task just ended is looked at soon), takes the expired ones off in bounded
 * batches, one script call per batch on the partition's slot, fenced by the lease token.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly batch: number;
  /** Tasks removed since start (for tests and logs). */
  removed = 0;

  constructor(
    private readonly store: TaskStore,
    private readonly owner: PartitionOwner,
    private readonly opts: SweeperOptions,
  ) {
    this.batch = opts.batch ?? 500;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.sweep()
        .catch((err: Error) => {
          this.opts.log?.('error', `retention sweep: ${err.message}`, { stack: err.stack });
          return Date.now() + this.opts.everyMs;
        })
        .then((next) => this.schedule(Math.min(Math.max(next - Date.now(), 10), this.opts.everyMs)));
    }, ms);
    this.timer.unref();
  }

  /** Sweep every owned partition until nothing expired is left; returns the earliest expiry still ahead. */
  private async sweep(): Promise<number> {
    let next = Infinity;
    for (const p of this.owner.partitionsOwned) {
      for (;;) {
        const token = this.owner.tokenOf(p);
        if (this.stopped || !token) break;
        const r = await this.store.sweep(p, token, this.batch);
        if (!r) break;
        this.removed += r.removed;
        if (r.removed < this.batch) {
          if (r.next !== null) next = Math.min(next, r.next);
          break;
        }
        // a full batch: let the event loop (claims, write-backs) run before the next one
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return next;
  }
}
