import type { ClaimedTask } from '@yieldflow/store';
import type { Executed } from './executor';

/** What a task's log is written to: a pino logger fits, or any logger of this shape. */
export interface TaskLogger {
  isLevelEnabled(level: 'info'): boolean;
  info(fields: object, msg: string): void;
}

/**
 * A task's life at info (its start, its fault with the reason, its end), each line with `taskId`, `step`
 * and `ns`. Nothing is built when info is off (the benchmark and the tests run at warn).
 */
export class TaskLog {
  constructor(private readonly logger: TaskLogger) {}

  committed(steps: { task: ClaimedTask; res: Executed }[], applied: number[]): void {
    if (!this.logger.isLevelEnabled('info')) return;
    for (let i = 0; i < steps.length; i++) {
      const a = applied[i];
      if (!a) continue;
      const { task, res } = steps[i];
      const op = res.op;
      const fields = { taskId: task.id, step: op.seq, ns: task.namespace, kind: task.kind, name: task.name };
      // a step run ahead of a sleep keeps the claim's task, whatever it was claimed for: it is no start
      if (task.resolution.type === 'start' && op.adv === undefined) this.logger.info(fields, 'task started');
      if (a === 3) this.logger.info({ ...fields, reason: 'a task budget was exceeded' }, 'task faulted');
      else if (op.o === 'f') this.logger.info({ ...fields, reason: reasonOf(op.err) }, 'task faulted');
      else if (op.o === 'c') this.logger.info(fields, 'task completed');
    }
  }
}

/** The fault's detail (or title), from the error JSON the write-back stores. */
function reasonOf(err: string | undefined): string {
  try {
    const e = JSON.parse(err ?? '{}') as { title?: string; detail?: string };
    return String(e.detail ?? e.title ?? 'unknown').slice(0, 500);
  } catch {
    return 'unknown';
  }
}
