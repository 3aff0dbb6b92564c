import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { ChildMessage } from './child';
import type { Result, RunOptions } from './types';

/**
 * Runs `exports[exportName](opts)` of a compiled module in a fresh Node process and resolves with
 * the Result it sends back. The child's stdout is forwarded to this process's stderr so that
 * `--json` output stays clean. On timeout the child gets SIGTERM (it runs its onAbort cleanups),
 * then SIGKILL five seconds later.
 */
export function runInChild(modulePath: string, exportName: string, opts: RunOptions): Promise<Result> {
  const childPath = path.join(__dirname, 'child.js');
  return new Promise<Result>((resolve, reject) => {
    const child = fork(childPath, [modulePath, exportName, JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    let message: ChildMessage | undefined;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      killTimer.unref();
    }, opts.timeoutMs);
    const stopOnSignal = (): void => {
      child.kill('SIGTERM');
    };
    process.once('SIGINT', stopOnSignal);
    child.on('message', (msg: ChildMessage) => {
      message = msg;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      process.removeListener('SIGINT', stopOnSignal);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      process.removeListener('SIGINT', stopOnSignal);
      if (timedOut) return reject(new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s`));
      if (message?.ok) return resolve(message.result);
      if (message && !message.ok) return reject(new Error(message.error));
      reject(new Error(`child exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}
