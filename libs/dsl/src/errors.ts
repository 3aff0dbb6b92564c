import { ERROR_TYPES, TaskError } from '@yieldflow/runtime';

export interface Violation {
  /** JSON pointer into the definition. */
  pointer: string;
  /** What was expected there. */
  message: string;
}

/** The definition is not a valid workflow document (bad text, too big, or against the schema). */
export class DefinitionError extends Error {
  readonly violations: Violation[];
  constructor(message: string, violations: Violation[] = []) {
    super(
      violations.length
        ? `${message}: ${violations.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')}`
        : message,
    );
    this.name = 'DefinitionError';
    this.violations = violations;
  }
}

/** The definition is valid, but uses features this runtime does not run. */
export class UnsupportedFeatureError extends Error {
  readonly features: string[];
  constructor(found: { feature: string; pointer: string }[]) {
    super(
      `unsupported feature${found.length > 1 ? 's' : ''}: ${found.map((f) => `${f.feature} at ${f.pointer || '/'}`).join(', ')}`,
    );
    this.name = 'UnsupportedFeatureError';
    this.features = [...new Set(found.map((f) => f.feature))];
  }
}

export function expressionError(expression: string, detail: string, instance?: string): TaskError {
  const shown = expression.length > 200 ? `${expression.slice(0, 200)}...` : expression;
  return new TaskError({
    type: ERROR_TYPES.expression,
    status: 400,
    title: 'Expression error',
    detail: `evaluating '${shown}': ${detail}`,
    instance,
  });
}

export function validationError(detail: string, instance?: string): TaskError {
  return new TaskError({ type: ERROR_TYPES.validation, status: 400, title: 'Validation error', detail, instance });
}

export function configurationError(detail: string, instance?: string): TaskError {
  return new TaskError({
    type: ERROR_TYPES.configuration,
    status: 400,
    title: 'Configuration error',
    detail,
    instance,
  });
}

export function runtimeError(detail: string, instance?: string): TaskError {
  return new TaskError({ type: ERROR_TYPES.runtime, status: 500, title: 'Runtime error', detail, instance });
}
