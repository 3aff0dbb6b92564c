import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** Read-only views over every partition, for the overview: who holds each lease, and the queue depth. */
export class PartitionView {
  constructor(private readonly store: TaskStore) {}

  /** Per partition, the worker id holding the default group's lease, or null. */
  async owners(): Promise<(string | null)[]> {
    const { redis, keys } = internalsOf(this.store);
    const tokens = await redis.mget([...Array(keys.partitions).keys()].map((p) => `${keys.partition(p)}own`));
    // a lease token is '<worker id>:<random>' (see TaskStore.token)
    return tokens.map((t) => (t ? t.slice(0, t.lastIndexOf(':')) : null));
  }

  /** Tasks due at `now` that no worker has claimed yet, over every partition. */
  async dueNow(now = Date.now()): Promise<number> {
    const { redis, keys } = internalsOf(this.store);
    const pipeline = redis.pipeline();
    for (let p = 0; p < keys.partitions; p++) pipeline.zcount(`${keys.partition(p)}due`, '-inf', now);
    let due = 0;
    for (const [err, n] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      due += Number(n);
    }
    return due;
  }
}
