import type { ChildProcess } from 'node:child_process';
import { exited, spawnApp } from '../support/processes';
import { dropPrefix, eventually, testConfig } from '../support/redis';
import { freePort } from '../reliability/helpers';

interface Line {
  level: number;
  msg: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

/** A built api's request lines: errors and slow requests always, the rest at debug; `npm test` builds first. */
describe("the api's request log", () => {
  const config = testConfig({ partitions: 2 });
  const apis: ChildProcess[] = [];

  afterAll(async () => {
    for (const a of apis) a.kill('SIGTERM');
    await Promise.all(apis.map((a) => exited(a)));
    await dropPrefix(config.prefix);
  });

  /** An api with `env`; runs the requests, then answers its JSON lines about requests. */
  const run = async (env: NodeJS.ProcessEnv, requests: (base: string) => Promise<unknown>): Promise<Line[]> => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = spawnApp('api', config, { PORT: String(port), HOST: '127.0.0.1', ...env });
    apis.push(api);
    await eventually(async () => ((await fetch(`${base}/health/live`)).status === 200 ? true : undefined), 20_000, 100);
    await requests(base);
    await eventually(async () => (api.output.join('').includes('/v1/tasks/no-such-task') ? true : undefined), 5_000);
    api.kill('SIGTERM');
    await exited(api);
    return api.output
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.req);
  };

  const requests = async (base: string): Promise<void> => {
    const created = await fetch(`${base}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer yf_not_a_key' },
      body: JSON.stringify({ coroutine: 'seed.func-b' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/v1/tasks/no-such-task`)).status).toBe(404);
  };

  it('at info: the 404 is logged, the 201 and the probes are not, and no header is', async () => {
    const lines = await run({ LOG_LEVEL: 'info' }, requests);
    expect(lines.map((l) => [l.level, l.req!.method, l.req!.url, l.res!.statusCode])).toEqual([
      [30, 'GET', '/v1/tasks/no-such-task', 404],
    ]);
    expect(JSON.stringify(lines)).not.toContain('yf_not_a_key');
  }, 60_000);

  it('a request slower than SLOW_REQUEST_MS is logged at warn, whatever its status', async () => {
    const lines = await run({ LOG_LEVEL: 'info', SLOW_REQUEST_MS: '1' }, requests);
    const created = lines.find((l) => l.req!.method === 'POST');
    expect(created).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 201 } });
    expect(created!.responseTime).toBeGreaterThan(1);
  }, 60_000);

  it('at debug, every request', async () => {
    const lines = await run({ LOG_LEVEL: 'debug' }, requests);
    expect(lines.map((l) => [l.level, l.res!.statusCode])).toEqual([
      [20, 201],
      [30, 404],
    ]);
  }, 60_000);
});
