import { definition, hostileStack, type HostileStack } from './support';

/**
 * Hostile definitions from one namespace: loops with no wait, a `for` that writes a huge trace, tasks
 * that grow without end. Each ends the offending task alone, with an error naming its budget, while a
 * seed func_b of another namespace, in the same partition, still completes on time.
 */
describe('budgets: one task cannot wedge or grow without bound', () => {
  let s: HostileStack;
  beforeAll(async () => {
    s = await hostileStack({ LIMIT_TASK_STEPS: '2000', LIMIT_TASK_BYTES: String(8 * 1024 * 1024) });
  }, 30_000);
  afterAll(() => s.close());

  const submit = async (body: unknown[], input: unknown = {}, extra: Record<string, unknown> = {}): Promise<string> =>
    (
      await s.a
        .post('/v1/tasks')
        .send({ definition: definition(body, extra), input })
        .expect(201)
    ).body.id as string;

  it('a then-loop with no wait faults on its steps per resume; the worker stays up', async () => {
    const onTime = await s.bystander();
    const id = await submit([{ spin: { set: { x: 1 }, then: 'spin' } }]);
    const task = await s.a.until(id, ['faulted', 'completed']);
    expect(task.error.budget).toEqual({ name: 'LIMIT_STEPS_PER_RESUME', limit: 10_000, value: 10_001 });
    expect(task.error.detail).toContain('LIMIT_STEPS_PER_RESUME');
    await s.a.get('/health').expect(200);
    await onTime();
  });

  it('cancel wins over a spinning task: its close runs under the same budget', async () => {
    const onTime = await s.bystander();
    const ids = await Promise.all([1, 2, 3].map(() => submit([{ spin: { set: { x: 1 }, then: 'spin' } }])));
    for (const id of ids) {
      const res = await s.aOperator.post(`/v1/tasks/${id}/cancel`);
      expect([200, 409]).toContain(res.status);
    }
    for (const id of ids)
      expect(['cancelled', 'faulted']).toContain((await s.a.until(id, ['cancelled', 'faulted'])).status);
    await s.a.get('/health').expect(200);
    await onTime();
  });

  it('a for whose trace is thousands of entries is written back (chunked), and its partition goes on', async () => {
    const onTime = await s.bystander();
    const id = await submit([
      { each: { for: { in: '${ [range(0; 4000)] }' }, do: [{ add: { set: { n: '${ $index }' } } }] } },
    ]);
    const task = await s.a.until(id, ['completed', 'faulted']);
    expect(task.status).toBe('completed');
    expect(task.output).toEqual({ n: 3999 });
    await onTime();
  });

  it('a for over 100,000 items faults on its steps per resume', async () => {
    const onTime = await s.bystander();
    const id = await submit([
      { each: { for: { in: '${ [range(0; 100000)] }' }, do: [{ add: { set: { n: '${ $index }' } } }] } },
    ]);
    const task = await s.a.until(id, ['completed', 'faulted']);
    expect(task.error.budget.name).toBe('LIMIT_STEPS_PER_RESUME');
    await onTime();
  });

  it('a wait: PT0S loop faults on its journal length (LIMIT_TASK_STEPS)', async () => {
    const onTime = await s.bystander();
    const id = await submit([{ w: { wait: 'PT0S', then: 'w' } }]);
    const task = await s.a.until(id, ['completed', 'faulted']);
    expect(task.error.budget).toEqual({ name: 'LIMIT_TASK_STEPS', limit: 2000, value: 2001 });
    await onTime();
  });

  it('a retry with no limit and no delay faults on its journal length', async () => {
    const onTime = await s.bystander();
    const id = await submit([
      {
        again: {
          try: [{ fail: { raise: { error: { type: 'https://example.com/oops', status: 500 } } } }],
          catch: { errors: { with: { type: 'https://example.com/oops' } }, retry: { delay: { milliseconds: 0 } } },
        },
      },
    ]);
    const task = await s.a.until(id, ['completed', 'faulted']);
    expect(task.error.budget.name).toBe('LIMIT_TASK_STEPS');
    await onTime();
  });

  it('a loop that stores 500 KB a step faults on its bytes (LIMIT_TASK_BYTES)', async () => {
    const onTime = await s.bystander();
    const blob = 'x'.repeat(500_000);
    const id = await submit(
      [{ grow: { set: { blob: '${ $workflow.input.blob }' } } }, { pause: { wait: 'PT0S', then: 'grow' } }],
      { blob },
    );
    const task = await s.a.until(id, ['completed', 'faulted']);
    expect(task.error.budget.name).toBe('LIMIT_TASK_BYTES');
    expect(task.error.budget.limit).toBe(8 * 1024 * 1024);
    await onTime();
  });
});
