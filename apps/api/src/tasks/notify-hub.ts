import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Channels, TaskStore } from '@yieldflow/store';
import { SUBSCRIBER } from '../common/tokens';

interface Waiter {
  ticket: number;
  resolve: (status: string) => void;
}

/**
 * Lets a request wait for a task to receive a value and suspend again (POST /send): the write-back that
 * does it publishes "<id> <seq> <status> <received>" on the notify channel, and the waiter whose ticket
 * is covered is answered. One subscription per api process.
 */
@Injectable()
export class NotifyHub implements OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    @Inject(SUBSCRIBER) private readonly subscriber: Redis,
    private readonly store: TaskStore,
  ) {}

  async onModuleInit(): Promise<void> {
    await new Channels(this.store).subscribe(this.subscriber, 'notify');
    this.subscriber.on('message', (_c: string, message: string) => {
      const [id, , status, received] = message.split(' ');
      const set = this.waiters.get(id);
      if (!set) return;
      for (const w of set) {
        if (status !== 'suspended' || Number(received) >= w.ticket) {
          set.delete(w);
          w.resolve(status);
        }
      }
      if (set.size === 0) this.waiters.delete(id);
    });
  }

  onModuleDestroy(): void {
    this.subscriber.disconnect();
  }

  /** Register before sending (so no notification is missed); `ticket` is filled in once known. */
  expect(id: string, timeoutMs: number): { setTicket(t: number): void; done: Promise<string | null>; cancel(): void } {
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    let timer: NodeJS.Timeout;
    let waiter!: Waiter;
    const done = new Promise<string | null>((resolve) => {
      waiter = {
        ticket: Number.MAX_SAFE_INTEGER,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      timer = setTimeout(() => {
        set!.delete(waiter);
        resolve(null);
      }, timeoutMs);
    });
    set.add(waiter);
    return {
      setTicket: (t) => (waiter.ticket = t),
      done,
      cancel: () => {
        clearTimeout(timer);
        set!.delete(waiter);
        if (set!.size === 0) this.waiters.delete(id);
      },
    };
  }
}
