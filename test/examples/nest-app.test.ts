import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { TaskReader, TaskStore } from '@yieldflow/store';
import { exited, spawnApp } from '../support/processes';
import { emptyApp, npmInstall, packPackage, root } from '../support/package';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { freePort } from '../reliability/helpers';

const run = promisify(execFile);

/**
 * examples/nest-app as a user would run it: installed from the package's tarball (in a copy of the
 * directory), built with its own TypeScript, and run beside the api on the real Redis. Its coroutines are
 * provider methods found by the module; its controller drives them with the injected client.
 */
describe('examples/nest-app', () => {
  const config = testConfig({ partitions: 4 });
  const procs: ChildProcess[] = [];
  let app: ChildProcess & { output: string[] };
  let appUrl = '';
  let how = '';
  let redis: Redis;
  let reader: TaskReader;

  const json = async <T>(res: Promise<Response>): Promise<T> => {
    const r = await res;
    const body = (await r.json()) as T;
    if (!r.ok) throw new Error(`${r.status}: ${JSON.stringify(body)}`);
    return body;
  };

  beforeAll(async () => {
    const tarball = await packPackage();
    const dir = emptyApp('nest-app');
    cpSync(join(root, 'examples', 'nest-app'), dir, {
      recursive: true,
      filter: (src) => !/node_modules|dist/.test(src.slice(join(root, 'examples', 'nest-app').length)),
    });
    how = await npmInstall(dir, [tarball]);
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 120_000 });

    redis = new Redis(REDIS_URL);
    reader = new TaskReader(new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions }));
    const apiPort = await freePort();
    procs.push(spawnApp('api', config, { PORT: String(apiPort), HOST: '127.0.0.1' }));
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${apiPort}/health/live`)).status === 200 ? true : undefined),
      20_000,
      100,
    );

    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    app = spawn(process.execPath, [join(dir, 'dist', 'main.js')], {
      cwd: dir,
      env: {
        ...process.env,
        REDIS_URL: config.redisUrl,
        YF_PREFIX: config.prefix,
        PARTITIONS: String(config.partitions),
        YIELDFLOW_URL: `http://127.0.0.1:${apiPort}`,
        PORT: String(port),
        BULL_PREFIX: `${config.prefix}-bull`,
        PACKING_QUEUE: 'packing',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as ChildProcess & { output: string[] };
    app.output = [];
    app.stdout!.on('data', (d: Buffer) => app.output.push(d.toString()));
    app.stderr!.on('data', (d: Buffer) => app.output.push(d.toString()));
    procs.push(app);
    await eventually(
      async () => (app.output.join('').includes('example listening') ? true : undefined),
      30_000,
      100,
    ).catch(() => {
      throw new Error(`the example did not start: ${app.output.join('')}`);
    });
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    redis?.disconnect();
    await dropPrefix(config.prefix);
    await dropPrefix(`${config.prefix}-bull`);
  });

  it('is installed from the tarball, and its module found both @Coroutine() methods', () => {
    expect(['offline', 'registry']).toContain(how);
    expect(app.output.join('')).toMatch(
      /worker \S+ started \(group c-[0-9a-f]{12}\): orders\.fulfil, orders\.remind, yf\.schedule/,
    );
  });

  it('runs both coroutines: a sleep and an @Activity(); a sleep, a @nestjs/bullmq job step and a value sent through the client', async () => {
    const started = await json<{ fulfil: string; remind: string }>(
      fetch(`${appUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'o-1', items: 2 }),
      }),
    );
    const remind = await eventually(
      async () => {
        const v = await json<{ status: string; output: unknown }>(fetch(`${appUrl}/orders/${started.remind}`));
        return v.status === 'completed' ? v : undefined;
      },
      20_000,
      100,
    );
    expect(remind.output).toEqual({ reminded: 'o-1', sent: 1 });
    const waiting = await eventually(
      async () => {
        const v = await json<{ status: string; yielded: unknown }>(fetch(`${appUrl}/orders/${started.fulfil}`));
        return v.status === 'suspended' && v.yielded ? v : undefined;
      },
      20_000,
      100,
    );
    expect(waiting.yielded).toEqual({ order: 'o-1', boxes: 1, awaiting: 'approval' });
    const sent = await json<{ status: string; output?: { approvedBy: string } }>(
      fetch(`${appUrl}/orders/${started.fulfil}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'ana' }),
      }),
    );
    expect(sent.status).toBe('completed');
    const done = await reader.get('default', started.fulfil);
    expect(done.output).toMatchObject({ order: 'o-1', boxes: 1, approvedBy: 'ana' });
    expect((done.output as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(300);
    expect(done.suspensions.map((s) => s.kind)).toEqual(['sleep', 'job', 'receive']);
  }, 60_000);

  it('stops its worker when the application shuts down (SIGTERM): its partitions handed back, not left to expire', async () => {
    const group = /started \(group (c-[0-9a-f]{12})\)/.exec(app.output.join(''))![1];
    const leases = () =>
      Promise.all(
        Array.from({ length: config.partitions }, (_, p) => redis.get(`${config.prefix}:{p${p}}:own:${group}`)),
      );
    expect((await leases()).every((l) => l !== null)).toBe(true);
    app.kill('SIGTERM');
    await exited(app);
    expect(app.signalCode ?? app.exitCode).toBe('SIGTERM'); // Nest closes the app, then ends with the signal
    // released at shutdown: a lease left to expire would still be there for up to 3 s
    expect(await leases()).toEqual([null, null, null, null]);
    expect(
      JSON.parse(readFileSync(join(root, 'examples', 'nest-app', 'package.json'), 'utf8')).dependencies.yieldflow,
    ).toBe('file:../../packages/yieldflow');
  }, 30_000);
});
