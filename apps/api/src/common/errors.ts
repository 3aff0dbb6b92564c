/** Input that fails a check beyond the DTO's: the message names the field. Mapped to 400. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** A request that repeats an idempotency key with something else than the first time. Mapped to 422. */
export class IdempotencyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyMismatchError';
  }
}
