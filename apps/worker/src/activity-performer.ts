import {
  type ActivityEffect,
  ERROR_TYPES,
  type Json,
  type JournalEntry,
  TaskError,
  type TaskErrorData,
  retryDelay,
} from '@yieldflow/runtime';

/** What an activity handler is told about the step it runs for. `attempt` counts from 1. */
export interface ActivityContext {
  taskId: string;
  step: number;
  attempt: number;
  namespace: string;
  /** Aborted when the attempt passes the activity's `timeoutMs`: a handler that can stop should. */
  signal?: AbortSignal;
}

/** Code run by the worker for `activity(name, args)`: where injected services are called. */
export type ActivityHandler = (args: Json, ctx: ActivityContext) => Promise<Json>;

/** A thrown TaskError with one of these statuses is worth retrying; any other TaskError is final (as http's 4xx). */
const RETRYABLE = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Performs `activity` effects: the registered handler, retried per the effect's policy (`http()`'s rules:
 * a plain Error or a TaskError of status 408, 429 or 5xx is retried; another TaskError is final), and its
 * result or last error as the journal entry. An unknown name is a configuration error (404), thrown in at the yield.
 */
export class ActivityPerformer {
  constructor(private readonly handlers: Record<string, ActivityHandler> = {}) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.handlers, name);
  }

  async perform(
    effect: ActivityEffect,
    ctx: Omit<ActivityContext, 'attempt' | 'signal'>,
  ): Promise<Pick<JournalEntry, 'r' | 'e'>> {
    if (!this.has(effect.name)) {
      return {
        e: {
          type: ERROR_TYPES.configuration,
          status: 404,
          title: 'Not found',
          detail: `activity '${effect.name}' is not registered on this worker`,
        },
      };
    }
    const handler = this.handlers[effect.name];
    for (let attempt = 1; ; attempt++) {
      let failure: TaskErrorData;
      try {
        const result = await attempted(handler, effect, { ...ctx, attempt });
        return { r: result === undefined ? null : result };
      } catch (err) {
        failure = asError(err, effect.name);
        if (err instanceof TaskError && !RETRYABLE(err.status)) return { e: failure };
      }
      const delay = retryDelay(effect.retry, attempt + 1);
      if (delay === null || (effect.deadline !== undefined && Date.now() + delay >= effect.deadline))
        return { e: failure };
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** One attempt, failed with a timeout (retryable, as http's) past the activity's timeoutMs. */
async function attempted(handler: ActivityHandler, effect: ActivityEffect, ctx: ActivityContext): Promise<Json> {
  const ms = effect.timeoutMs;
  if (ms === undefined || !(ms > 0)) return handler(effect.args ?? null, ctx);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(TaskError.timeout(`activity '${effect.name}' took longer than ${ms} ms (attempt ${ctx.attempt})`));
    }, ms);
  });
  try {
    return await Promise.race([handler(effect.args ?? null, { ...ctx, signal: abort.signal }), late]);
  } finally {
    clearTimeout(timer);
  }
}

function asError(err: unknown, name: string): TaskErrorData {
  if (err instanceof TaskError) return err.toJSON();
  const message = err instanceof Error ? err.message : String(err);
  return { type: ERROR_TYPES.runtime, status: 500, title: 'Activity failed', detail: `activity '${name}': ${message}` };
}
