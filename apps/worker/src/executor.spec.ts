import { CoroutineRegistry, type Coroutine, receive } from '@yieldflow/runtime';
import type { ClaimedTask } from '@yieldflow/store';
import { Executor } from './executor';

const counter: Coroutine = function* () {
  let n = 0;
  for (;;) n = (yield receive(n)) as number;
};
new CoroutineRegistry().register('counter', counter);

const claimed = (seq: number, value: number): ClaimedTask => ({
  id: 't1',
  kind: 'coroutine',
  name: 'counter',
  definitionHash: '',
  input: null,
  seq,
  waitKind: seq === 0 ? '' : 'receive',
  wait: '',
  resolution: seq === 0 && value < 0 ? { type: 'start' } : { type: 'result', entry: { r: value } },
  dueAt: null,
  suspendedAt: 0,
  startedAt: 1,
  createdAt: 0,
  namespace: 'default',
});

describe('Executor', () => {
  it('resumes a cached execution without its journal, however long the history', () => {
    const ex = new Executor();
    ex.execute(claimed(0, -1), counter, 1);
    for (let seq = 0; seq < 5000; seq++) {
      expect(ex.has('t1', seq)).toBe(true);
      // no journal passed: a replay would find nothing to rebuild from
      const res = ex.execute(claimed(seq, seq + 1), counter, seq + 2);
      expect(res.op).toMatchObject({ o: 's', seq, y: String(seq + 1) });
    }
  });

  it('replays from the journal when the cached execution is not at the claimed step', () => {
    const ex = new Executor();
    const journal = [1, 2, 3].map((r, i) => ({ k: 'receive' as const, r, t: i + 2 }));
    expect(ex.has('t1', 3)).toBe(false);
    const res = ex.execute(claimed(3, 9), counter, 10, journal);
    expect(res.op).toMatchObject({ o: 's', y: '9', pop: true });
    expect(JSON.parse(res.op.e!)).toMatchObject({ k: 'receive', r: 9, t: 10 });
  });
});
