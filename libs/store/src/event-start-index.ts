import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** A namespace's definitions that events start (`<prefix>:evstarts:<ns>`, `<namespace>/<name>` -> JSON). */
export class EventStartIndex {
  constructor(private readonly store: TaskStore) {}

  async set(namespace: string, definition: string, json: string): Promise<void> {
    const { redis, keys } = internalsOf(this.store);
    await redis.hset(keys.eventStarts(namespace), definition, json);
  }

  all(namespace: string): Promise<Record<string, string>> {
    const { redis, keys } = internalsOf(this.store);
    return redis.hgetall(keys.eventStarts(namespace));
  }
}
