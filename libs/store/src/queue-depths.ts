import type { Redis } from 'ioredis';
import { internalsOf } from './internal';
import type { Keys } from './keys';
import type { ScriptedRedis } from './scripts';
import type { TaskStore } from './task-store';

export interface Depths {
  /** Tasks ready to run now: due (score <= now) in a due set or a parked set, or in a priority queue. */
  dueNow: number;
  /** Tasks in line for a concurrency slot, over every limit. */
  waitingForSlot: number;
}

/** Concurrency lines looked at per read at the most: a deployment with more reports a lower bound. */
const MAX_LINES = 10_000;

/**
 * How deep the queues are, for `/metrics`: one pipeline over the partitions' due sets, priority queues
 * and parked sets (`dq:<name>`, due tasks of a coroutine only another worker group runs), and a bounded SCAN over the concurrency lines (`<prefix>:{cc:*}:w`, on every master of a cluster).
 */
export class QueueDepths {
  private readonly redis: ScriptedRedis;
  private readonly keys: Keys;

  constructor(store: TaskStore) {
    ({ redis: this.redis, keys: this.keys } = internalsOf(store));
  }

  async read(now = Date.now()): Promise<Depths> {
    const [dueNow, waitingForSlot] = await Promise.all([this.due(now), this.waiting()]);
    return { dueNow, waitingForSlot };
  }

  private async due(now: number): Promise<number> {
    const count = (replies: [Error | null, unknown][] | null): number =>
      (replies ?? []).reduce((sum, [err, n]) => sum + (err ? 0 : Number(n)), 0);
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.keys.partitions; p++) {
      const k = this.keys.partition(p);
      pipeline.zcount(`${k}due`, '-inf', now);
      pipeline.zcard(`${k}pq`);
      pipeline.smembers(`${k}dqs`);
    }
    const replies = (await pipeline.exec()) ?? [];
    // due tasks parked for another worker group (dq:<name>) are due too
    const parked = this.redis.pipeline();
    let any = false;
    for (let p = 0; p < this.keys.partitions; p++) {
      const [err, names] = replies[p * 3 + 2];
      if (err) continue;
      for (const name of names as string[]) {
        parked.zcount(`${this.keys.partition(p)}dq:${name}`, '-inf', now);
        any = true;
      }
    }
    const queued = replies.filter((_, i) => i % 3 !== 2);
    return count(queued) + (any ? count(await parked.exec()) : 0);
  }

  private async waiting(): Promise<number> {
    const cluster = this.redis as unknown as { nodes?: (role: 'master') => Redis[] };
    const nodes: Redis[] = typeof cluster.nodes === 'function' ? cluster.nodes('master') : [this.redis];
    let total = 0;
    let seen = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `${this.keys.prefix}:{cc:*}:w`, 'COUNT', 1000);
        cursor = next;
        if (found.length) {
          const pipeline = node.pipeline();
          for (const k of found) pipeline.zcard(k);
          for (const [err, n] of (await pipeline.exec()) ?? []) total += err ? 0 : Number(n);
          seen += found.length;
        }
      } while (cursor !== '0' && seen < MAX_LINES);
    }
    return total;
  }
}
