import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The process's pino logger: JSON lines by default, readable lines with LOG_FORMAT=pretty (pino-pretty,
 * synchronous, in this process). Nest's logger writes through it too (WorkerModule).
 */
export function createLogger(level: string, format: 'json' | 'pretty' = 'json'): Logger {
  if (format === 'pretty') return pino({ level }, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l' }));
  return pino({ level });
}
