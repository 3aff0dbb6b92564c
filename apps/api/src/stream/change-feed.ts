import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { Channels, TaskStore } from '@yieldflow/store';
import { REDIS } from '../common/tokens';

/** One change of one task: its id, its status now, its journal length (step). */
export interface TaskChange {
  id: string;
  status: string;
  step?: number;
}

/**
 * A message on `<prefix>:changes`: `{ "ns": { "<namespace>": [[id, status, step?], ...] }, "kind"?: "..." }`.
 * Workers publish one per write-back batch, the api one per request that changed tasks.
 */
export interface ChangeMessage {
  ns: Record<string, [string, string, number?][]>;
  kind?: string;
}

export type ChangeListener = (kind: string, changes: TaskChange[]) => void;

/**
 * Fans the change messages out to this process's stream clients, by namespace. The api subscribes
 * only while it has clients: workers publish only while someone subscribes (PUBSUB NUMSUB, checked
 * every heartbeat), so with no dashboard open nothing is published at all.
 */
@Injectable()
export class ChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger('stream');
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private subscriber: Redis | null = null;
  private readonly channels: Channels;
  private subscribers = 0;
  private numsubAt = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    store: TaskStore,
  ) {
    this.channels = new Channels(store);
  }

  get clients(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Listen to a namespace's changes; the returned function stops. */
  listen(namespace: string, fn: ChangeListener): () => void {
    let set = this.listeners.get(namespace);
    if (!set) this.listeners.set(namespace, (set = new Set()));
    set.add(fn);
    this.subscribe();
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.listeners.delete(namespace);
      if (this.listeners.size === 0) this.unsubscribe();
    };
  }

  /** Whether any api process has stream clients (this one's, or the channel's subscribers, read at most once a second). */
  get listened(): boolean {
    if (this.clients > 0) return true;
    if (Date.now() - this.numsubAt > 1000) {
      this.numsubAt = Date.now();
      this.channels
        .subscribers('changes')
        .then((n) => (this.subscribers = n))
        .catch(() => undefined);
    }
    return this.subscribers > 0;
  }

  /** Tell every api process's clients of a change the api made. Best effort: a lost message costs a refresh. */
  publish(namespace: string, changes: TaskChange[], kind = 'tasks'): void {
    const message: ChangeMessage = {
      ns: { [namespace]: changes.map((c) => (c.step === undefined ? [c.id, c.status] : [c.id, c.status, c.step])) },
      kind,
    };
    this.channels
      .publish('changes', JSON.stringify(message))
      .catch((err: Error) => this.logger.warn(`publishing a change failed: ${err.message}`));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private subscribe(): void {
    if (this.subscriber) return;
    const sub = this.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = sub;
    sub.on('error', (err: Error) => this.logger.warn(`stream subscription: ${err.message}`));
    sub.on('message', (_c: string, text: string) => this.dispatch(text));
    this.channels
      .subscribe(sub, 'changes')
      .catch((err: Error) => this.logger.warn(`subscribing to the changes channel failed: ${err.message}`));
  }

  private unsubscribe(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private dispatch(text: string): void {
    let message: ChangeMessage;
    try {
      message = JSON.parse(text) as ChangeMessage;
    } catch {
      return;
    }
    for (const [ns, rows] of Object.entries(message.ns ?? {})) {
      const set = this.listeners.get(ns);
      if (!set || !Array.isArray(rows)) continue;
      const changes = rows.map(([id, status, step]) => (step === undefined ? { id, status } : { id, status, step }));
      for (const fn of set) fn(message.kind ?? 'tasks', changes);
    }
  }
}
