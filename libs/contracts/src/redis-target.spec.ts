import { describeRedis, loadConfig, loadRedisTarget } from './config';

describe('loadRedisTarget', () => {
  it('REDIS_CLUSTER_NODES: host:port pairs, IPv6 in brackets', () => {
    expect(loadRedisTarget({ REDIS_CLUSTER_NODES: 'a:7000, 10.0.0.2:7001,[::1]:7002' }).redisCluster).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('a redis+cluster:// URL, with its credentials', () => {
    const t = loadRedisTarget({ REDIS_URL: 'redis+cluster://app:p%40ss@r1:6379,r2:6380' });
    expect(t.redisCluster).toEqual({
      nodes: [
        { host: 'r1', port: 6379 },
        { host: 'r2', port: 6380 },
      ],
      username: 'app',
      password: 'p@ss',
    });
    expect(describeRedis(t)).toBe('Redis Cluster at r1:6379,r2:6380');
  });

  it('a plain REDIS_URL is one Redis; its password is not shown', () => {
    const t = loadRedisTarget({ REDIS_URL: 'redis://:secret@h:6379' });
    expect(t.redisCluster).toBeUndefined();
    expect(describeRedis(t)).toBe('Redis at redis://h:6379');
  });

  it('a node without a port, or with a bad one, is refused naming the setting', () => {
    expect(() => loadRedisTarget({ REDIS_CLUSTER_NODES: 'a:7000,b' })).toThrow(
      "REDIS_CLUSTER_NODES must list nodes as host:port separated by commas, got 'b'",
    );
    expect(() => loadRedisTarget({ REDIS_URL: 'redis+cluster://a:70000' })).toThrow('REDIS_URL must list nodes');
    expect(() => loadRedisTarget({ REDIS_URL: 'redis+cluster://' })).toThrow('must name at least one node');
  });

  it('PARTITION_TAGS: plain by default, spread, nothing else', () => {
    expect(loadConfig({}).partitionTags).toBe('plain');
    expect(loadConfig({ PARTITION_TAGS: 'spread' }).partitionTags).toBe('spread');
    expect(() => loadConfig({ PARTITION_TAGS: 'even' })).toThrow(
      "PARTITION_TAGS must be 'plain' or 'spread', got 'even'",
    );
  });
});
