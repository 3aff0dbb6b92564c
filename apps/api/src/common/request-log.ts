import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of a request's log line: a server error at error, a request slower than `slowMs` at warn,
 * a client error at info, and everything else at debug (LOG_LEVEL=debug shows every request).
 */
export function requestLogLevel(statusCode: number, ms: number, slowMs: number): Level {
  if (statusCode >= 500) return 'error';
  if (ms > slowMs) return 'warn';
  if (statusCode >= 400) return 'info';
  return 'debug';
}

/** Requests never logged: probes and scrapes, many a minute. */
const QUIET = (url: string): boolean => url.startsWith('/health') || url === '/metrics';

/**
 * One line per request once its answer is sent (or its connection closed first), at the level
 * `requestLogLevel` gives, with its method, path, status and time; nothing is built when that level is
 * off, so a request logged at debug costs a timestamp and a listener. Headers are not logged (they carry
 * keys); a server error's stack is logged by the error filter.
 */
export function requestLog(
  logger: Logger,
  slowMs: number,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const url = req.url ?? '';
    if (QUIET(url)) return next();
    const started = process.hrtime.bigint();
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const aborted = !res.writableFinished;
      const level = aborted ? 'info' : requestLogLevel(res.statusCode, ms, slowMs);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { method: req.method, url, remoteAddress: req.socket?.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(ms * 10) / 10,
        },
        aborted ? 'request aborted' : 'request completed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
