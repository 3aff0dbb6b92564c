/** No key, or a key that is unknown or revoked. Mapped to 401. */
export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** A valid key whose role is too low for the endpoint. Mapped to 403 (says nothing about any resource). */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** The key spent its requests for this window. Mapped to 429 with Retry-After (seconds). */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}
