import Redis from 'ioredis';
import { TaskStore } from '@yieldflow/store';
import { OwnRedis } from './helpers';

/**
 * Redis memory per published event byte, on a redis-server of the test's own (no other suite's keys in
 * the measure), with 16 partitions: each event's body must be stored once for its namespace, not once
 * per partition and type.
 */
describe('memory per published event byte', () => {
  const redis = new OwnRedis();

  beforeAll(async () => {
    await redis.start();
  });
  afterAll(async () => {
    await redis.destroy();
  });

  /**
   * What the keys hold (MEMORY USAGE of every key, all of its elements counted), not INFO's used_memory: that
   * also counts client buffers, which the server frees only some time after a connection closes, and under
   * load that made the figure swing from 1.04x to 2.47x for the same keys.
   */
  async function keyMemory(): Promise<number> {
    const r = new Redis(redis.url);
    try {
      let total = 0;
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) total += Number((await r.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
      } while (cursor !== '0');
      return total;
    } finally {
      r.disconnect();
    }
  }

  it('20 events of 250 KiB grow what the keys hold by at most 1.5x their bytes', async () => {
    const client = new Redis(redis.url);
    const store = new TaskStore(client, { prefix: 'mem', partitions: 16 });
    await store.init();
    // the scripts are loaded (and cached by Redis) before the measure starts
    await store.publishEvent('warm', {
      specversion: '1.0',
      id: 'warm',
      type: 'w',
      source: 's',
      time: new Date().toISOString(),
    });
    await client.quit();
    const before = await keyMemory();

    const publisher = new Redis(redis.url);
    const events = new TaskStore(publisher, { prefix: 'mem', partitions: 16 });
    let published = 0;
    for (let i = 0; i < 20; i++) {
      const event = {
        specversion: '1.0',
        id: `e${i}`,
        type: 'big',
        source: 's',
        time: new Date().toISOString(),
        data: 'x'.repeat(250 * 1024),
      };
      published += Buffer.byteLength(JSON.stringify(event));
      await events.publishEvent('tenant', event);
    }
    await publisher.quit();
    const grown = (await keyMemory()) - before;
    const ratio = grown / published;
    console.log(
      `20 events, ${published} bytes published: the keys grew by ${grown} bytes, ${ratio.toFixed(2)}x the bytes published`,
    );
    expect(ratio).toBeLessThanOrEqual(1.5);
  });
});
