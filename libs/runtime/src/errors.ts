/**
 * Errors a coroutine faults with. The shape follows the Serverless Workflow DSL's error object
 * (RFC 7807 style: type, status, title, detail, instance) so code-first and DSL tasks report alike.
 */
export const ERROR_TYPES = {
  configuration: 'https://serverlessworkflow.io/spec/1.0.0/errors/configuration',
  validation: 'https://serverlessworkflow.io/spec/1.0.0/errors/validation',
  expression: 'https://serverlessworkflow.io/spec/1.0.0/errors/expression',
  authentication: 'https://serverlessworkflow.io/spec/1.0.0/errors/authentication',
  authorization: 'https://serverlessworkflow.io/spec/1.0.0/errors/authorization',
  timeout: 'https://serverlessworkflow.io/spec/1.0.0/errors/timeout',
  communication: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication',
  runtime: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime',
} as const;

export interface TaskErrorData {
  type: string;
  status: number;
  title?: string;
  detail?: string;
  instance?: string;
  /** Set when the task ended because it exceeded one of its budgets (see BudgetError). */
  budget?: { name: string; limit: number; value: number };
}

export class TaskError extends Error {
  readonly type: string;
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly budget?: TaskErrorData['budget'];

  constructor(data: TaskErrorData) {
    super(data.detail ?? data.title ?? data.type);
    this.name = 'TaskError';
    this.type = data.type;
    this.status = data.status;
    this.title = data.title;
    this.detail = data.detail;
    this.instance = data.instance;
    if (data.budget) this.budget = data.budget;
  }

  toJSON(): TaskErrorData {
    const out: TaskErrorData = { type: this.type, status: this.status };
    if (this.title !== undefined) out.title = this.title;
    if (this.detail !== undefined) out.detail = this.detail;
    if (this.instance !== undefined) out.instance = this.instance;
    if (this.budget !== undefined) out.budget = this.budget;
    return out;
  }

  static timeout(detail: string, instance?: string): TaskError {
    return new TaskError({ type: ERROR_TYPES.timeout, status: 408, title: 'Timeout', detail, instance });
  }

  static communication(status: number, detail: string, instance?: string): TaskError {
    return new TaskError({ type: ERROR_TYPES.communication, status, title: 'Communication error', detail, instance });
  }
}

/**
 * A task went over one of its budgets (steps or CPU time in one resume, journal or trace length, bytes
 * stored, children, spawn depth, descendants). It ends the offending task only, and no `try` of the
 * task's own can catch it: a budget that a retry could catch would bound nothing.
 */
export class BudgetError extends TaskError {
  constructor(name: string, limit: number, value: number, what: string, instance?: string) {
    super({
      type: ERROR_TYPES.runtime,
      status: 500,
      title: 'Budget exceeded',
      detail: `${what}: ${value} is over the budget of ${limit} (${name})`,
      instance,
      budget: { name, limit, value },
    });
    this.name = 'BudgetError';
  }
}

/** Any thrown value as the stored error object: a TaskError keeps its fields, anything else is a runtime error. */
export function toTaskErrorData(err: unknown): TaskErrorData {
  if (err instanceof TaskError) return err.toJSON();
  if (err instanceof Error) {
    return { type: ERROR_TYPES.runtime, status: 500, title: err.name, detail: err.message };
  }
  return { type: ERROR_TYPES.runtime, status: 500, title: 'Error', detail: String(err) };
}

/** The replayed coroutine yielded something other than what its journal recorded: its code changed under it. */
export class NonDeterminismError extends Error {
  constructor(step: number, expected: string, got: string) {
    super(`replay diverged at step ${step}: the journal recorded '${expected}' but the coroutine yielded '${got}'`);
    this.name = 'NonDeterminismError';
  }
}
