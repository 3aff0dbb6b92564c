import { readFileSync } from 'fs';
import { join } from 'path';
import { load, runWith } from './testing';

const example = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'examples', name), 'utf8');
const produce = (value: unknown, n: number) => ({
  id: `p${n}`,
  type: 'io.yieldflow.seed.produce',
  source: 'https://producer',
  data: { value } as never,
});

describe('examples/', () => {
  it('seed-func-a waits 1 s three times', () => {
    const r = runWith(load(example('seed-func-a.yaml')), null);
    expect(r.outcome).toEqual({ type: 'complete', output: 'a done' });
    expect(r.elapsedMs).toBe(3000);
    expect(r.journal.map((e) => e.k)).toEqual(['sleep', 'sleep', 'sleep']);
  });

  it('seed-func-b waits 3 s once', () => {
    const r = runWith(load(example('seed-func-b.yaml')), null);
    expect(r.outcome).toEqual({ type: 'complete', output: 'b done' });
    expect(r.elapsedMs).toBe(3000);
  });

  it('seed-consumer replies 200 OK per value and ends on a falsy value, returning what it consumed', () => {
    const events = [1, 2, 3, 4, 5, 0, 6].map((v, i) => produce(v, i));
    const r = runWith(load(example('seed-consumer.yaml')), {}, { events });
    expect(r.outcome).toEqual({ type: 'complete', output: [1, 2, 3, 4, 5] });
    expect(r.emitted.map((e) => e.data)).toEqual([1, 2, 3, 4, 5].map((value) => ({ reply: '200 OK', value })));
    expect(r.effects.filter((e) => e.kind === 'waitForEvent')[0]).toMatchObject({ type: 'io.yieldflow.seed.produce' });
  });

  it('seed-consumer waits (suspended) while no value has come', () => {
    const r = runWith(load(example('seed-consumer.yaml')), {}, { events: [produce('x', 1)] });
    expect(r.outcome).toMatchObject({ type: 'suspend', effect: { kind: 'waitForEvent' } });
    expect(r.emitted).toHaveLength(1);
  });
});
