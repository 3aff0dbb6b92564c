import type Redis from 'ioredis';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

export type Channel = 'notify' | 'changes';

/**
 * The deployment's pub/sub channels besides the workers' wake channel (WorkerRegistry): `notify` (a task
 * ended or suspended: '<id> <seq> <status> <received>', for waiting api requests) and `changes` (what a
 * write-back or the api changed, for stream clients).
 */
export class Channels {
  constructor(private readonly store: TaskStore) {}

  private name(channel: Channel): string {
    const keys = internalsOf(this.store).keys;
    return channel === 'notify' ? keys.notifyChannel : keys.changesChannel;
  }

  /** Subscribe `subscriber` (a connection of its own); its 'message' events carry the channel's name first. */
  async subscribe(subscriber: Redis, channel: Channel): Promise<void> {
    await subscriber.subscribe(this.name(channel));
  }

  async unsubscribe(subscriber: Redis, channel: Channel): Promise<void> {
    await subscriber.unsubscribe(this.name(channel));
  }

  async publish(channel: Channel, message: string): Promise<void> {
    await internalsOf(this.store).redis.publish(this.name(channel), message);
  }

  /** How many connections subscribe to the channel, over the deployment. */
  async subscribers(channel: Channel): Promise<number> {
    const r = (await internalsOf(this.store).redis.pubsub('NUMSUB', this.name(channel))) as [string, number | string];
    return Number(r[1] ?? 0);
  }
}
