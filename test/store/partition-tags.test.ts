import type Redis from 'ioredis';
import { connectRedis, TaskStore } from '@yieldflow/store';
import { dropPrefix, REDIS_URL, testConfig } from '../support/redis';

/** The partition tags are recorded with the partition count; a process configured otherwise refuses to start. */
describe('TaskStore.init and PARTITION_TAGS', () => {
  const config = testConfig();
  let redis: Redis;
  beforeAll(() => {
    redis = connectRedis({ redisUrl: REDIS_URL });
  });
  afterEach(() => dropPrefix(config.prefix));
  afterAll(() => redis.quit());

  const store = (partitionTags: 'plain' | 'spread') =>
    new TaskStore(redis, { prefix: config.prefix, partitions: 8, partitionTags });

  it('records the tags on first use and refuses the other kind', async () => {
    await store('spread').init();
    expect(await redis.hget(`${config.prefix}:meta`, 'tags')).toBe('spread');
    await store('spread').init();
    await expect(store('plain').init()).rejects.toThrow(
      "this Redis holds tasks under 'spread' partition tags; configured with 'plain' (set PARTITION_TAGS=spread)",
    );
  });

  it('a store from before the setting (partitions recorded, no tags) has plain tags', async () => {
    await redis.hset(`${config.prefix}:meta`, 'partitions', 8);
    await expect(store('spread').init()).rejects.toThrow("under 'plain' partition tags");
    await store('plain').init();
    expect(await redis.hget(`${config.prefix}:meta`, 'tags')).toBe('plain');
  });
});
