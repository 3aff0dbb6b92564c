import type { ApiErrorBody } from '@yieldflow/contracts';

/**
 * An answer of the api other than 2xx, or no answer at all (status 0: the network failed or the request
 * timed out). `message` is the api's own message; `body` the whole error body `{ statusCode, error, message, ... }`.
 */
export class YieldflowError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: ApiErrorBody,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: a field of the request is invalid; the message names it. */
export class ValidationError extends YieldflowError {}
/** 401: no API key, or an unknown one. */
export class UnauthorizedError extends YieldflowError {}
/** 403: the key's role is too low for the endpoint. */
export class ForbiddenError extends YieldflowError {}
/** 404: no such task, batch or definition (in the key's namespace). */
export class NotFoundError extends YieldflowError {}
/** 409: the task is not in a state the request applies to (e.g. send to a task not waiting for a value). */
export class ConflictError extends YieldflowError {}
/** 413: the body or a value is over a limit; the message names the limit. */
export class PayloadTooLargeError extends YieldflowError {}
/** 422: an Idempotency-Key reused with another body, or a definition using an unsupported feature. */
export class UnprocessableError extends YieldflowError {}
/** 429: over the key's rate limit or a buffer's cap; `retryAfterSeconds` from the Retry-After header. */
export class RateLimitedError extends YieldflowError {
  constructor(
    status: number,
    message: string,
    body: ApiErrorBody | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(status, message, body);
  }
}
/** 503: Redis is unreachable or full; retry shortly. */
export class UnavailableError extends YieldflowError {}
/** No answer within the client's timeoutMs (status 0), or `result()` waited past its own timeout. */
export class TimeoutError extends YieldflowError {}

/** A task that ended faulted or cancelled, from `result()`: `task` is its view, `error` what it faulted with. */
export class TaskFailedError extends YieldflowError {
  constructor(
    readonly task: { id: string; status: string; error?: unknown },
    message: string,
  ) {
    super(0, message);
  }
}

const BY_STATUS: Record<number, new (status: number, message: string, body?: ApiErrorBody) => YieldflowError> = {
  400: ValidationError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableError,
  503: UnavailableError,
};

/** The typed exception for an error answer. */
export function errorFor(status: number, body: ApiErrorBody | undefined, retryAfter: string | null): YieldflowError {
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  if (status === 429) {
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    return new RateLimitedError(status, message, body, seconds);
  }
  const Type = BY_STATUS[status] ?? YieldflowError;
  return new Type(status, message, body);
}
