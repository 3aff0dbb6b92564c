import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTime } from 'pino-http';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of a request's log line: a server error at error, a request slower than `slowMs` at warn,
 * a client error at info, and everything else at debug (LOG_LEVEL=debug shows every request).
 */
export function requestLogLevel(slowMs: number): (req: IncomingMessage, res: ServerResponse, err?: Error) => Level {
  return (_req, res, err) => {
    if (err || res.statusCode >= 500) return 'error';
    const started = (res as unknown as Record<symbol, number | undefined>)[startTime];
    if (started !== undefined && Date.now() - started > slowMs) return 'warn';
    if (res.statusCode >= 400) return 'info';
    return 'debug';
  };
}
