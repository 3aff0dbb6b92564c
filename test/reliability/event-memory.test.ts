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

  async function usedMemory(): Promise<number> {
    const r = new Redis(redis.url);
    try {
      const info = await r.info('memory');
      return Number(/^used_memory:(\d+)/m.exec(info)![1]);
    } finally {
      r.disconnect();
    }
  }

  it('20 events of 250 KiB grow used_memory by at most 1.5x their bytes', async () => {
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
    const before = await usedMemory();

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
    // its connection's buffers go with it: what stays is what the events keep
    await publisher.quit();
    const grown = (await usedMemory()) - before;
    const ratio = grown / published;
    console.log(
      `20 events, ${published} bytes published: used_memory grew by ${grown} bytes, ${ratio.toFixed(2)}x the bytes published`,
    );
    expect(ratio).toBeLessThanOrEqual(1.5);
  });
});
