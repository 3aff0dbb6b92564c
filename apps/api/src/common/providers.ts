import type { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { createCoroutineRegistry, describeRedis, loadConfig, type Config } from '@yieldflow/contracts';
import {
  ConcurrencyLimits,
  connectRedis,
  CoroutineCatalog,
  DefinitionRegistry,
  ScheduleStore,
  TaskReader,
  TaskStore,
} from '@yieldflow/store';
import type { CoroutineRegistry } from '@yieldflow/runtime';
import { CONFIG, COROUTINES, REDIS, SUBSCRIBER } from './tokens';

export const providers: Provider[] = [
  { provide: CONFIG, useFactory: () => loadConfig() },
  {
    provide: REDIS,
    inject: [CONFIG],
    useFactory: async (c: Config) => {
      // commands fail fast while Redis is down (the api answers 503) instead of queueing without bound
      const r = connectRedis(c, { maxRetriesPerRequest: 1, failFast: true });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${describeRedis(c)} did not answer within 10 s`)), 10_000);
        r.once('ready', () => {
          clearTimeout(t);
          resolve();
        });
      });
      return r;
    },
  },
  { provide: SUBSCRIBER, inject: [CONFIG], useFactory: (c: Config) => connectRedis(c, { subscriber: true }) },
  { provide: COROUTINES, useFactory: () => createCoroutineRegistry() },
  {
    provide: TaskStore,
    inject: [REDIS, CONFIG],
    useFactory: async (r: Redis, c: Config) => {
      const store = new TaskStore(r, {
        prefix: c.prefix,
        partitions: c.partitions,
        partitionTags: c.partitionTags,
        eventBufferBytes: c.limits.eventBufferBytes,
        retention: c.retention,
      });
      await store.init();
      return store;
    },
  },
  {
    provide: TaskReader,
    inject: [TaskStore, CONFIG],
    useFactory: (s: TaskStore, c: Config) =>
      new TaskReader(s, { valueBytes: c.limits.viewValueBytes, pageBytes: c.limits.viewBytes }),
  },
  {
    provide: ScheduleStore,
    inject: [TaskStore],
    useFactory: (s: TaskStore) => ScheduleStore.of(s),
  },
  { provide: DefinitionRegistry, inject: [TaskStore], useFactory: (s: TaskStore) => new DefinitionRegistry(s) },
  // built-in coroutines, and those any worker announced (an application's own, run by its workers)
  {
    provide: CoroutineCatalog,
    inject: [TaskStore, COROUTINES],
    useFactory: (s: TaskStore, r: CoroutineRegistry) => new CoroutineCatalog(s, r),
  },
  { provide: ConcurrencyLimits, inject: [TaskStore], useFactory: (s: TaskStore) => new ConcurrencyLimits(s) },
];
