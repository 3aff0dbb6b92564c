import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { exited } from './support/processes';
import { dropPrefix, eventually, REDIS_URL, testConfig } from './support/redis';
import { freePort } from './reliability/helpers';

/** `npm start` keeps the service up: a worker that dies is started again, and Ctrl-C stops everything. */
describe('npm start supervises', () => {
  const config = testConfig();
  let start: ChildProcess;
  let output = '';

  afterAll(async () => {
    if (start && start.exitCode === null && start.signalCode === null) start.kill('SIGKILL');
    await dropPrefix(config.prefix);
  });

  it('starts a killed worker again, keeps the api answering, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    start = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'start.js')], {
      env: { ...process.env, REDIS_URL, YF_PREFIX: config.prefix, PORT: String(port), WORKERS: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const pidOf = (nth: number) =>
      eventually(async () => [...output.matchAll(/worker 1 started \(pid (\d+)\)/g)][nth]?.[1], 15_000);
    const healthy = () =>
      eventually(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          return res.status === 200 ? true : undefined;
        },
        15_000,
        100,
      );

    const first = Number(await pidOf(0));
    await healthy();
    process.kill(first, 'SIGKILL');
    const second = Number(await pidOf(1));
    expect(second).not.toBe(first);
    expect(output).toContain('worker 1 exited (SIGKILL); starting it again in 1 s');
    await healthy(); // the api never went away, and the new worker heartbeats

    start.kill('SIGINT');
    expect(await exited(start)).toBe(0);
    expect(() => process.kill(second, 0)).toThrow(); // the worker is gone too
  }, 60_000);
});
