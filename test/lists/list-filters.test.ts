import Redis from 'ioredis';
import { type NewTask, TaskStore } from '@yieldflow/store';
import { eventually, REDIS_URL } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

type Item = { id: string; status: string; createdAt: string; coroutine?: string; definition?: { name: string } };

/** Tasks written straight into the store at known creation times (no worker runs them). */
describe('GET /v1/tasks filters, from indexes', () => {
  let s: Stack;
  let redis: Redis;
  let store: TaskStore;
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  const made: { id: string; ca: number; name: string; kind: 'coroutine' | 'definition'; batch?: string }[] = [];

  const task = (id: string, kind: 'coroutine' | 'definition', name: string, batchId?: string): NewTask => ({
    id,
    namespace: 'default',
    kind,
    name,
    input: null,
    fresh: true,
    ...(batchId ? { batchId } : {}),
  });

  /** Every page of a query, following nextCursor; the pages' item ids in order. */
  async function all(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 500; i++) {
      const page = (
        await s.http.get(`/v1/tasks?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200)
      ).body as { items: Item[]; nextCursor?: string };
      ids.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error('too many pages');
  }

  /** The expected order: newest first, ids ascending within one millisecond. */
  const expected = (keep: (t: (typeof made)[number]) => boolean): string[] =>
    made
      .filter(keep)
      .sort((a, b) => b.ca - a.ca || (a.id < b.id ? -1 : 1))
      .map((t) => t.id);

  beforeAll(async () => {
    s = await startStack({ workers: 0 });
    redis = new Redis(REDIS_URL);
    store = new TaskStore(redis, { prefix: s.config.prefix, partitions: s.config.partitions });
    // 40 func-a, 20 func-b, 12 of a definition in two versions; two or three per millisecond
    for (let i = 0; i < 72; i++) {
      const ca = t0 + Math.floor(i / 3) * 1000;
      const [kind, name] =
        i < 40
          ? (['coroutine', 'seed.func-a'] as const)
          : i < 60
            ? (['coroutine', 'seed.func-b'] as const)
            : (['definition', `orders/ship@${i % 2 ? '1.0.0' : '2.0.0'}`] as const);
      const id = `t${String(i).padStart(3, '0')}${i % 4 === 0 ? 'x' : 'y'}`;
      const batch = i % 10 === 0 ? 'b-ten' : undefined;
      await store.create([task(id, kind, name, batch)], ca);
      made.push({ id, ca, name, kind, batch });
    }
    await store.createBatch(
      'default',
      'b-ten',
      made.filter((t) => t.batch).map((t) => t.id),
      t0,
    );
    // a few cancelled: they move from the 'live' index to the cancelled one
    for (const i of [1, 2, 41, 61]) await store.cancel('default', made[i].id, t0 + 100_000);
  });
  afterAll(async () => {
    redis.disconnect();
    await s.close();
  });
  const cancelled = new Set([1, 2, 41, 61].map((i) => `t${String(i).padStart(3, '0')}${i % 4 === 0 ? 'x' : 'y'}`));

  it('pages every task exactly, newest first, across partitions', async () => {
    expect(await all('limit=7')).toEqual(expected(() => true));
  });

  it('filters by coroutine and by definition (every version, or one)', async () => {
    expect(await all('coroutine=seed.func-b&limit=6')).toEqual(expected((t) => t.name === 'seed.func-b'));
    expect(await all('definition=orders/ship&limit=5')).toEqual(expected((t) => t.kind === 'definition'));
    expect(await all(`definition=${encodeURIComponent('orders/ship@1.0.0')}&limit=5`)).toEqual(
      expected((t) => t.name === 'orders/ship@1.0.0'),
    );
    expect(await all('coroutine=nosuch.coroutine')).toEqual([]);
  });

  it('filters by status: finished ones from their own index, others from the live tasks', async () => {
    expect(await all('status=cancelled&limit=3')).toEqual(expected((t) => cancelled.has(t.id)));
    expect(await all('status=queued&limit=9')).toEqual(expected((t) => !cancelled.has(t.id)));
    expect(await all('status=completed')).toEqual([]);
  });

  it('filters by creation time: createdAfter inclusive, createdBefore exclusive', async () => {
    const after = t0 + 5000;
    const before = t0 + 12_000;
    const q = `createdAfter=${new Date(after).toISOString()}&createdBefore=${new Date(before).toISOString()}&limit=4`;
    expect(await all(q)).toEqual(expected((t) => t.ca >= after && t.ca < before));
    expect(await all(`createdAfter=2026-11-01T00:00:20%2B00:00`)).toEqual(expected((t) => t.ca >= t0 + 20_000));
    expect(await all('createdBefore=2026-11-01')).toEqual([]);
  });

  it('searches by id prefix on the id index, in id order', async () => {
    const byId = (keep: (id: string) => boolean): string[] =>
      made
        .map((t) => t.id)
        .filter(keep)
        .sort();
    expect(await all('idPrefix=t01&limit=3')).toEqual(byId((id) => id.startsWith('t01')));
    expect(await all('idPrefix=t0&limit=11')).toEqual(byId((id) => id.startsWith('t0')));
    expect(await all('idPrefix=zz')).toEqual([]);
  });

  it('combines filters, each checked on every task', async () => {
    expect(await all('coroutine=seed.func-a&status=cancelled')).toEqual(
      expected((t) => t.name === 'seed.func-a' && cancelled.has(t.id)),
    );
    expect(await all('definition=orders/ship&status=queued&limit=2')).toEqual(
      expected((t) => t.kind === 'definition' && !cancelled.has(t.id)),
    );
    const after = t0 + 10_000;
    expect(await all(`coroutine=seed.func-a&createdAfter=${new Date(after).toISOString()}&limit=3`)).toEqual(
      expected((t) => t.name === 'seed.func-a' && t.ca >= after),
    );
    expect(await all('idPrefix=t0&coroutine=seed.func-b&limit=2')).toEqual(
      made
        .filter((t) => t.id.startsWith('t0') && t.name === 'seed.func-b')
        .map((t) => t.id)
        .sort(),
    );
    const batch = made.filter((t) => t.batch).map((t) => t.id);
    expect(await all('batchId=b-ten&limit=2')).toEqual(batch);
    expect(await all('batchId=b-ten&coroutine=seed.func-a&limit=2')).toEqual(
      made.filter((t) => t.batch && t.name === 'seed.func-a').map((t) => t.id),
    );
  });

  it('reads a bounded number of index entries per page: a rare match comes on a later page, exactly once', async () => {
    // 2,500 newer tasks by id 'n....': one func-a among func-b
    const many = Array.from({ length: 2500 }, (_, i) =>
      task(`n${String(i).padStart(5, '0')}`, 'coroutine', i === 2400 ? 'seed.func-a' : 'seed.func-b'),
    );
    await store.create(many, t0 + 500_000);
    const first = (await s.http.get('/v1/tasks?idPrefix=n&coroutine=seed.func-a&limit=10').expect(200)).body;
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toBeDefined();
    expect(await all('idPrefix=n&coroutine=seed.func-a&limit=10')).toEqual(['n02400']);
    const page = (await s.http.get('/v1/tasks?coroutine=seed.func-a&limit=1').expect(200)).body;
    expect(page.items.map((t: Item) => t.id)).toEqual(['n02400']);
  });

  it('refuses bad values with a 400 naming the field', async () => {
    const bad: [string, RegExp][] = [
      ['status=sleeping', /status/],
      ['createdAfter=yesterday', /createdAfter/],
      ['createdBefore=2026-13-45T00:00:00Z', /createdBefore/],
      ['idPrefix=a*b', /idPrefix/],
      ['definition=noslash', /definition/],
      ['coroutine=-x', /coroutine/],
      ['cursor=garbage', /cursor/],
      ['idPrefix=t0&cursor=9999999999999:abc', /cursor/],
      ['limit=0', /limit/],
      ['colour=red', /colour/],
    ];
    for (const [q, field] of bad) {
      const res = await s.http.get(`/v1/tasks?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(JSON.stringify(res.body.message)).toMatch(field);
    }
  });
});

/** List items carry what a task's GET shows of its suspensions, and since when a task waits. */
describe('list items: suspensions and waitingFor', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ workers: 1 });
  });
  afterAll(() => s.close());

  it("filters a schedule's tasks, read from the schedule's own index", async () => {
    await s.http.post('/v1/schedules').send({ id: 'hourly-b', every: '1h', coroutine: 'seed.func-b' }).expect(201);
    const fired: string[] = [];
    for (let i = 0; i < 3; i++) {
      fired.push((await s.http.post('/v1/schedules/hourly-b/trigger').expect(201)).body.taskId);
      await new Promise((r) => setTimeout(r, 5));
    }
    await eventually(async () => {
      const page = (await s.http.get('/v1/tasks?scheduleId=hourly-b&coroutine=seed.func-b').expect(200)).body;
      return page.items.length === 3 ? true : undefined;
    }, 15_000);
    const ids = (q: string) =>
      s.http
        .get(`/v1/tasks?scheduleId=hourly-b&${q}`)
        .expect(200)
        .then((r) => r.body.items.map((t: Item) => t.id).sort());
    expect(await ids('coroutine=seed.func-b')).toEqual([...fired].sort());
    expect(await ids('coroutine=seed.func-a')).toEqual([]);
    expect(await ids(`idPrefix=${fired[1]}`)).toEqual([fired[1]]);
    expect(await ids('createdBefore=2000-01-01')).toEqual([]);
  });

  it('shows the latest suspensions and when the current wait began, in ISO 8601', async () => {
    const { id } = (await s.http.post('/v1/tasks').send({ coroutine: 'seed.func-a' }).expect(201)).body;
    const item = await eventually(async () => {
      const page = (await s.http.get('/v1/tasks?coroutine=seed.func-a').expect(200)).body;
      const t = page.items.find((x: Item) => x.id === id);
      return t?.suspensions.length >= 1 && t.status === 'suspended' ? t : undefined;
    }, 15_000);
    const one = (await s.http.get(`/v1/tasks/${id}`).expect(200)).body;
    expect(item.suspensions[0]).toEqual(one.suspensions[0]);
    expect(item.suspensionsPage).toEqual({ offset: 0, total: item.suspensions.length });
    expect(item.waitingFor.kind).toBe('sleep');
    expect(item.waitingFor.since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(item.waitingFor.since)).toBeGreaterThanOrEqual(Date.parse(item.suspensions[0].resumedAt));
  });
});
