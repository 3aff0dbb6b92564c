import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DefinitionError, UnsupportedFeatureError } from '@yieldflow/dsl';
import { ConflictError, InvalidQueryError, LimitError, NotFoundError } from '@yieldflow/store';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from '../auth/errors';
import { IdempotencyMismatchError, InvalidInputError } from './errors';

const REDIS_DOWN =
  /ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|ETIMEDOUT|LOADING/;
// Redis at its maxmemory (noeviction) refuses writes, as a command's or a script's error reply
const REDIS_FULL = /OOM command not allowed/;

/** The one place domain errors become HTTP answers: { statusCode, error, message, ...details }. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.map(err);
    if (status === 503) res.setHeader('Retry-After', '1');
    if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (status >= 500 && status !== 503) this.logger.error((err as Error)?.stack ?? String(err));
    res.status(status).json({ statusCode: status, ...body });
  }

  private map(err: unknown): [number, Record<string, unknown>] {
    if (err instanceof HttpException) {
      const r = err.getResponse();
      const body = typeof r === 'string' ? { message: r } : (r as Record<string, unknown>);
      const status = err.getStatus();
      if (Array.isArray(body.message)) body.message = body.message.join('; ');
      return [status, { error: body.error ?? err.name, ...body }];
    }
    if (err instanceof UnauthorizedError) return [401, { error: 'Unauthorized', message: err.message }];
    if (err instanceof ForbiddenError) return [403, { error: 'Forbidden', message: err.message }];
    if (err instanceof RateLimitedError) return [429, { error: 'Too Many Requests', message: err.message }];
    if (err instanceof NotFoundError) return [404, { error: 'Not Found', message: err.message }];
    if (err instanceof ConflictError) return [409, { error: 'Conflict', message: err.message }];
    if (err instanceof LimitError) return [413, { error: 'Payload Too Large', message: err.message }];
    if (err instanceof InvalidInputError || err instanceof InvalidQueryError)
      return [400, { error: 'Bad Request', message: err.message }];
    if (err instanceof IdempotencyMismatchError) return [422, { error: 'Unprocessable Entity', message: err.message }];
    if (err instanceof DefinitionError)
      return [400, { error: 'Invalid Definition', message: err.message, violations: err.violations }];
    if (err instanceof UnsupportedFeatureError)
      return [422, { error: 'Unsupported Feature', message: err.message, features: err.features }];
    const bodyErr = err as { type?: string; status?: number; message?: string; expose?: boolean };
    if (
      typeof bodyErr?.status === 'number' &&
      bodyErr.status >= 400 &&
      bodyErr.status < 500 &&
      (typeof bodyErr.type === 'string' || bodyErr.expose === true)
    ) {
      // body-parser (http-errors): malformed JSON (400), too large (413), unsupported charset or encoding (415),
      // a body that does not inflate (400)
      const tooLarge = err as { length?: number; limit?: number };
      const message =
        bodyErr.type === 'entity.parse.failed'
          ? `the body is not valid JSON: ${bodyErr.message}`
          : bodyErr.type === 'entity.too.large'
            ? `the body is ${tooLarge.length ?? 'more than the limit of'} bytes; at most ${tooLarge.limit} (LIMIT_BODY_BYTES)`
            : bodyErr.message;
      return [
        bodyErr.status,
        {
          error: bodyErr.type ?? 'Bad Request',
          message: bodyErr.type ? message : `the body could not be read: ${bodyErr.message}`,
        },
      ];
    }
    if (err instanceof Error && REDIS_FULL.test(err.message)) {
      return [
        503,
        {
          error: 'Service Unavailable',
          message: 'Redis is out of memory (maxmemory) and refuses writes; retry shortly',
        },
      ];
    }
    if (err instanceof Error && REDIS_DOWN.test(err.message))
      return [503, { error: 'Service Unavailable', message: 'the task store is unreachable; retry shortly' }];
    return [500, { error: 'Internal Server Error', message: 'internal error' }];
  }
}
