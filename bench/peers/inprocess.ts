/**
 * The floor: the seed's workload as generator coroutines in one process, each sleep resumed by
 * setTimeout. Nothing is durable; no Redis. Same semantics as /work/shared/bench-peers/inprocess.mjs.
 */
import { runInChild } from '../fork';
import { summarize } from '../stats';
import type { Result, RunOptions, System } from '../types';
import { funcA, funcB } from '../workload';

/** Runs in the child process. */
export async function workload(opts: RunOptions): Promise<Result> {
  const total = 2 * opts.pairs;
  const late: number[] = [];
  let done = 0;
  const t0 = Date.now();
  let submitMs = 0;
  await new Promise<void>((resolve) => {
    const step = (g: Generator<number, void, void>): void => {
      const r = g.next();
      if (r.done) {
        if (++done === total) resolve();
        return;
      }
      const due = Date.now() + r.value;
      setTimeout(() => {
        late.push(Date.now() - due);
        step(g);
      }, r.value);
    };
    for (let i = 0; i < opts.pairs; i++) {
      step(funcA());
      step(funcB());
    }
    submitMs = Date.now() - t0;
  });
  const wallMs = Date.now() - t0;
  const s = summarize(late);
  return {
    name: 'in-process',
    tasks: total,
    resumes: s.count,
    wallMs,
    lateP50: s.p50,
    lateP99: s.p99,
    lateMax: s.max,
    redisBytesPerTask: null,
    submitMs,
    startP99: 0,
  };
}

export const inprocess: System = {
  name: 'in-process',
  run: (opts) => runInChild(__filename, 'workload', opts),
};
