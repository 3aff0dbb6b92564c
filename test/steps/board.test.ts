import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Keys } from '@yieldflow/store';
import { startStack, type Stack } from '../support/stack';
import { REDIS_URL } from '../support/redis';
import { as, keyFor, newAdminKey } from '../security/support';

/** Bull Board at /admin/queues: behind the api's authentication, showing the queues in use. */
describe('Bull Board', () => {
  let s: Stack;
  const admin = newAdminKey();
  const configured = `qc-${randomUUID().slice(0, 8)}`;
  const used = `qu-${randomUUID().slice(0, 8)}`;
  const connection = { host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) };

  beforeAll(async () => {
    s = await startStack({
      workers: 0,
      env: { ADMIN_KEY: admin, LIMIT_AUTH_FAILURES_PER_MINUTE: '0', BULL_BOARD_QUEUES: configured },
    });
    // a queue a job() step has used, as the worker records it
    const r = new Redis(REDIS_URL);
    await r.sadd(new Keys(s.config.prefix, s.config.partitions).jobQueues, used);
    r.disconnect();
    const q = new Queue(used, { connection });
    await q.add('hello', { n: 1 }, { jobId: 'one' });
    await q.close();
  });
  afterAll(async () => {
    const q = new Queue(used, { connection });
    await q.obliterate({ force: true });
    await q.close();
    await s.close();
  });

  it('answers 401 without a key, and to a bad one', async () => {
    const res = await s.http.get('/admin/queues').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    await s.http.get('/admin/queues/api/queues').expect(401);
    await s.http.get('/admin/queues/api/queues').set('Authorization', 'Bearer nope').expect(401);
  });

  it("answers 403 to an admin of a tenant's namespace: the queues are the deployment's", async () => {
    const acmeAdmin = await keyFor(s, admin, 'acme', 'admin');
    const res = await as(s, acmeAdmin).get('/admin/queues').expect(403);
    expect(res.body.message).toMatch(/namespace 'system'/);
  });

  it('serves the board and its API to a system admin, listing the configured and the used queues', async () => {
    const page = await as(s, admin).get('/admin/queues').expect(200);
    expect(page.text).toMatch(/<html/i);
    const res = await as(s, admin).get('/admin/queues/api/queues').expect(200);
    const names = (res.body.queues as { name: string }[]).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining([configured, used]));
    const q = (res.body.queues as { name: string; counts: Record<string, number> }[]).find((x) => x.name === used)!;
    expect(q.counts.waiting).toBe(1);
  });
});
