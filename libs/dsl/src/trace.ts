import type { Json } from '@yieldflow/runtime';

export type TracePhase = 'started' | 'completed' | 'faulted' | 'cancelled' | 'skipped';

/**
 * What the interpreter passes to ctx.record as each DSL task starts and ends: `task` is the task's name,
 * `ref` its JSON pointer in the definition (e.g. `/do/0/greet`), `at` the step's clock (epoch ms).
 * `output` (the transformed output) comes with `completed`, `error` (the DSL error object) with `faulted`.
 */
export interface TraceEntry {
  task: string;
  ref: string;
  phase: TracePhase;
  at: number;
  output?: Json;
  error?: Json;
}
