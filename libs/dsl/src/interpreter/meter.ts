import { BudgetError, type Effect, type YieldResult } from '@yieldflow/runtime';

type Gen<T> = Generator<Effect, T, YieldResult>;

/** What one resume of a workflow may do before it must wait: a loop with no wait in it is cut off. */
export interface ResumeBudget {
  /** Tasks started (and `for` iterations) between two waits (LIMIT_STEPS_PER_RESUME). */
  steps: number;
  /** Milliseconds of running between two waits (LIMIT_CPU_MS_PER_RESUME). */
  cpuMs: number;
}

export const DEFAULT_RESUME_BUDGET: ResumeBudget = { steps: 10_000, cpuMs: 1_000 };

/**
 * Counts what a workflow does between two yields. The interpreter is synchronous between yields, so a
 * `then` loop or a huge `for` would otherwise hold its worker's event loop for ever; ticking at every
 * task start bounds it, and the BudgetError it throws passes through every `try` of the workflow.
 */
export class Meter {
  private steps = 0;
  private startedAt = performance.now();

  constructor(private readonly budget: ResumeBudget) {}

  /** A resume began (or a close): both counts start again. */
  reset(): void {
    this.steps = 0;
    this.startedAt = performance.now();
  }

  tick(pointer: string): void {
    this.steps++;
    if (this.steps > this.budget.steps) {
      throw new BudgetError(
        'LIMIT_STEPS_PER_RESUME',
        this.budget.steps,
        this.steps,
        'tasks run in one resume, without a wait between them',
        pointer,
      );
    }
    const ms = Math.round(performance.now() - this.startedAt);
    if (ms > this.budget.cpuMs) {
      throw new BudgetError(
        'LIMIT_CPU_MS_PER_RESUME',
        this.budget.cpuMs,
        ms,
        'milliseconds run in one resume, without a wait',
        pointer,
      );
    }
  }

  /** Run `inner`, starting the counts again each time it is resumed; closing the outer closes it. */
  *metered<T>(inner: Gen<T>): Gen<T> {
    let done = false;
    try {
      let next = inner.next();
      for (;;) {
        if (next.done) {
          done = true;
          return next.value;
        }
        let sent: unknown;
        try {
          sent = yield next.value;
        } catch (err) {
          this.reset();
          next = inner.throw(err);
          continue;
        }
        this.reset();
        next = inner.next(sent);
      }
    } finally {
      if (!done) {
        // closed (cancel): the inner list's finally blocks run, under a budget of their own
        this.reset();
        inner.return(undefined as never);
      }
    }
  }
}
