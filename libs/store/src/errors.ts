/** Domain errors of the store; the api maps each to an HTTP status in one exception filter. */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** The request conflicts with the task's state; the message says what the task is doing instead. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A query the store cannot answer as given (a cursor of another query); the message names the field. */
export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

/** A namespace's buffered events would pass their byte cap; `retryAfterMs` is when the oldest goes. */
export class EventBufferFullError extends LimitError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'EventBufferFullError';
  }
}
