import type { ClaimedTask } from '@yieldflow/store';
import type { Executed, StepObserver } from './executor';
import type { WorkerMetrics } from './metrics';
import type { TaskLog } from './task-log';
import type { Tracing } from './tracing';

/** Metrics, task logs and (when exported) traces, behind the one hook. */
export class WorkerObserver implements StepObserver {
  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly log?: TaskLog,
    private readonly tracing?: Tracing,
  ) {}

  stepped(task: ClaimedTask, res: Executed, startedAt: number): void {
    this.metrics.step(task.kind, task.name, task.namespace, performance.now() - startedAt);
    if (this.tracing) this.tracing.step(task, res, startedAt);
  }

  committed(steps: { task: ClaimedTask; res: Executed }[], applied: number[]): void {
    let suspended = 0;
    let completed = 0;
    let faulted = 0;
    let skipped = 0;
    for (let i = 0; i < steps.length; i++) {
      const a = applied[i];
      const o = steps[i].res.op.o;
      if (!a) skipped++;
      else if (a === 3 || o === 'f') faulted++;
      else if (o === 'c') completed++;
      else suspended++;
    }
    if (suspended) this.metrics.resumed('suspended', suspended);
    if (completed) this.metrics.resumed('completed', completed);
    if (faulted) this.metrics.resumed('faulted', faulted);
    if (skipped) this.metrics.resumed('skipped', skipped);
    this.log?.committed(steps, applied);
  }
}
