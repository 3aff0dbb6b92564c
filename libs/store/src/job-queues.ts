import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** The BullMQ queues `job` steps have added jobs to (`<prefix>:jobqueues`; Bull Board shows them). */
export class JobQueues {
  constructor(private readonly store: TaskStore) {}

  async add(queue: string): Promise<void> {
    const { redis, keys } = internalsOf(this.store);
    await redis.sadd(keys.jobQueues, queue);
  }

  /** Whether any job step was ever added in this deployment. */
  async any(): Promise<boolean> {
    const { redis, keys } = internalsOf(this.store);
    return (await redis.exists(keys.jobQueues)) === 1;
  }

  list(): Promise<string[]> {
    const { redis, keys } = internalsOf(this.store);
    return redis.smembers(keys.jobQueues);
  }
}
