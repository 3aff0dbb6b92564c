import type Redis from 'ioredis';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** How often a worker beats by default, ms. */
export const DEFAULT_HEARTBEAT_MS = 1000;
/** A worker is live while its last heartbeat is at most this many heartbeat intervals old. */
export const LIVE_HEARTBEATS = 2;

/** The live-worker rule, the one place it is written. */
export const isLive = (lastBeatMs: number, now: number, heartbeatMs = DEFAULT_HEARTBEAT_MS): boolean =>
  now - lastBeatMs <= LIVE_HEARTBEATS * heartbeatMs;

export interface RegisteredWorker {
  id: string;
  /** Its last heartbeat, ms since the epoch. */
  lastSeen: number;
  alive: boolean;
}

/**
 * The workers of a deployment (`<prefix>:workers`) and of each worker group (`<prefix>:gw:<group>`), each
 * scored by its last heartbeat, and the wake channel workers hear partitions' wakes (and their own pings) on.
 */
export class WorkerRegistry {
  constructor(
    private readonly store: TaskStore,
    private readonly heartbeatMs = DEFAULT_HEARTBEAT_MS,
  ) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  /** Record a heartbeat of `workerId` (in the store's group) and forget workers silent for `forgetMs`. */
  async beat(workerId: string, forgetMs: number, now = Date.now()): Promise<void> {
    const group = this.keys.groupWorkers(this.store.group);
    await this.redis
      .pipeline()
      .zadd(this.keys.workers, now, workerId)
      .zadd(group, now, workerId)
      .zremrangebyscore(this.keys.workers, '-inf', now - forgetMs)
      .zremrangebyscore(group, '-inf', now - forgetMs)
      .exec();
  }

  /** Take `workerId` out of the registry (it stops, or cannot hear wakes). */
  async leave(workerId: string): Promise<void> {
    await this.redis.zrem(this.keys.workers, workerId);
    await this.redis.zrem(this.keys.groupWorkers(this.store.group), workerId);
  }

  private since(now: number): number {
    return now - LIVE_HEARTBEATS * this.heartbeatMs;
  }

  /** Live workers of the store's group: the divisor of each one's fair share of partitions. */
  liveInGroup(now = Date.now()): Promise<number> {
    return this.redis.zcount(this.keys.groupWorkers(this.store.group), this.since(now), '+inf');
  }

  /** Live workers of every group. */
  live(now = Date.now()): Promise<number> {
    return this.redis.zcount(this.keys.workers, this.since(now), '+inf');
  }

  /** Every registered worker, live or not yet forgotten. */
  async list(now = Date.now()): Promise<RegisteredWorker[]> {
    const flat = await this.redis.zrange(this.keys.workers, 0, -1, 'WITHSCORES');
    const out: RegisteredWorker[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const lastSeen = Number(flat[i + 1]);
      out.push({ id: flat[i], lastSeen, alive: isLive(lastSeen, now, this.heartbeatMs) });
    }
    return out;
  }

  /** Subscribe `subscriber` (a connection of its own) to the wake channel. */
  async listen(subscriber: Redis): Promise<void> {
    await subscriber.subscribe(this.keys.wakeChannel);
  }

  /** Publish on the wake channel: a partition's number wakes its owner; a worker's ping tells it it hears. */
  async wake(message: string | number): Promise<void> {
    await this.redis.publish(this.keys.wakeChannel, String(message));
  }
}
