import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { loadObservability } from '@yieldflow/contracts';

/** LOG_FORMAT=pretty: readable terminal lines (pino-pretty, in this process); otherwise JSON on stdout. */
export function logDestination(env: NodeJS.ProcessEnv = process.env): DestinationStream | undefined {
  if (loadObservability(env).logFormat !== 'pretty') return undefined;
  return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l' });
}
