import { definition, hostileStack, type HostileStack } from './support';

/** A nested fork `levels` deep, `width` branches at each level; its leaves set { leaf: true }. */
function nestedFork(levels: number, width: number): Record<string, unknown> {
  if (levels === 0) return { leaf: { set: { leaf: true } } };
  const branches = Array.from({ length: width }, (_, i) => ({ [`b${i}`]: { do: [nestedFork(levels - 1, width)] } }));
  return { [`fork${levels}`]: { fork: { branches } } };
}

const total = (levels: number, width: number): number =>
  Array.from({ length: levels + 1 }, (_, l) => width ** l).reduce((a, b) => a + b, 0);

async function countTasks(s: HostileStack): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const res = await s.a.get(`/v1/tasks?limit=500${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
    n += res.body.items.length;
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

describe('spawn budgets: recursion and fan-out are bounded', () => {
  let s: HostileStack;
  beforeAll(async () => {
    s = await hostileStack({ LIMIT_SPAWN_DEPTH: '6', LIMIT_DESCENDANTS: '300' });
    const self = definition(
      [{ again: { run: { workflow: { namespace: 'test', name: 'self', version: '1.0.0' } } } }],
      {},
      'self',
    );
    await s.a.post('/v1/definitions').send(JSON.parse(self)).expect(201);
    const slow = definition(
      [
        { pause: { wait: 'PT0.3S' } },
        { again: { run: { workflow: { namespace: 'test', name: 'slow-self', version: '1.0.0' } } } },
      ],
      {},
      'slow-self',
    );
    await s.a.post('/v1/definitions').send(JSON.parse(slow)).expect(201);
  }, 30_000);
  afterAll(() => s.close());

  it('a workflow that runs itself ends at LIMIT_SPAWN_DEPTH, with ids that stay short', async () => {
    const onTime = await s.bystander();
    const before = await countTasks(s);
    const res = await s.a
      .post('/v1/tasks')
      .send({ definitionRef: { namespace: 'test', name: 'self' } })
      .expect(201);
    const root = await s.a.until(res.body.id, ['faulted', 'completed']);
    expect(root.status).toBe('faulted');
    expect(root.error.detail).toContain('LIMIT_SPAWN_DEPTH');
    const made = (await countTasks(s)) - before;
    expect(made).toBe(7); // depths 0 to 6
    const items = (await s.a.get('/v1/tasks?limit=500').expect(200)).body.items as { id: string }[];
    expect(Math.max(...items.map((t) => t.id.length))).toBeLessThanOrEqual(64);
    await onTime();
  });

  it('nested forks end at LIMIT_DESCENDANTS', async () => {
    const onTime = await s.bystander();
    const before = await countTasks(s);
    expect(total(3, 10)).toBeGreaterThan(300);
    const res = await s.a
      .post('/v1/tasks')
      .send({ definition: definition([nestedFork(3, 10)]) })
      .expect(201);
    const root = await s.a.until(res.body.id, ['faulted', 'completed'], 30_000);
    expect(root.status).toBe('faulted');
    expect(root.error.detail).toContain('LIMIT_DESCENDANTS');
    const made = (await countTasks(s)) - before;
    expect(made).toBeLessThanOrEqual(301);
    await onTime();
  });

  it('cancelling the root of a recursion ends every task of it, and no new one starts', async () => {
    const res = await s.a
      .post('/v1/tasks')
      .send({ definitionRef: { namespace: 'test', name: 'slow-self' } })
      .expect(201);
    await new Promise((r) => setTimeout(r, 800));
    await s.aOperator.post(`/v1/tasks/${res.body.id}/cancel`).expect(200);
    await new Promise((r) => setTimeout(r, 1500));
    const list = async () =>
      (await s.a.get('/v1/tasks?limit=500').expect(200)).body.items as { id: string; status: string }[];
    const tree = (await list()).filter((t) => t.id.startsWith(res.body.id));
    expect(tree.length).toBeGreaterThan(1);
    expect(tree.every((t) => t.status === 'cancelled')).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await list()).filter((t) => t.id.startsWith(res.body.id)).length).toBe(tree.length);
  });
});

describe('wide forks: fan-in costs the same per child however wide', () => {
  let s: HostileStack;
  beforeAll(async () => {
    s = await hostileStack();
  }, 30_000);
  afterAll(() => s.close());

  it('a 2,000-branch fork completes while another namespace runs on time', async () => {
    const onTime = await s.bystander();
    const branches = Array.from({ length: 2000 }, (_, i) => ({ [`b${i}`]: { set: { i } } }));
    const res = await s.a
      .post('/v1/tasks')
      .send({ definition: definition([{ wide: { fork: { branches } } }]) })
      .expect(201);
    const root = await s.a.until(res.body.id, ['faulted', 'completed'], 60_000);
    expect(root.status).toBe('completed');
    expect(root.output).toHaveLength(2000);
    expect(root.output[1999]).toEqual({ i: 1999 });
    await onTime();
  });
});
