/**
 * Entry point of a benchmark child process: `node child.js <module> <export> <options-json>`.
 * Loads the module, calls `exports[export](options)`, sends the result to the parent over IPC
 * and exits. Running each system in its own process keeps the systems off each other's event
 * loop and off the runner's.
 */
import type { Result, RunOptions } from './types';

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Registers work to do if the parent stops the run (timeout, Ctrl-C): close queues, delete keys. */
export function onAbort(fn: Cleanup): void {
  cleanups.push(fn);
}

export type ChildMessage = { ok: true; result: Result } | { ok: false; error: string };

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) {
      process.stdout.write(JSON.stringify(msg) + '\n');
      resolve();
      return;
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function abort(signal: string): Promise<never> {
  process.stderr.write(`bench child ${process.pid}: ${signal}, cleaning up\n`);
  for (const fn of cleanups.splice(0)) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`bench child cleanup failed: ${String(err)}\n`);
    }
  }
  process.exit(130);
}

async function main(): Promise<void> {
  const [modulePath, exportName, optsJson] = process.argv.slice(2);
  if (!modulePath || !exportName || !optsJson) throw new Error('usage: child.js <module> <export> <options-json>');
  const opts = JSON.parse(optsJson) as RunOptions;
  process.once('SIGTERM', () => void abort('SIGTERM'));
  process.once('SIGINT', () => void abort('SIGINT'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${modulePath} does not export a function ${exportName}`);
  const result = (await (fn as (o: RunOptions) => Promise<Result>)(opts)) as Result;
  await send({ ok: true, result });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    async (err: unknown) => {
      await send({ ok: false, error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    },
  );
}
