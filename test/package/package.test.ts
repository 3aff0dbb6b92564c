import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { TaskReader, TaskStore } from '@yieldflow/store';
import { exited, spawnApp } from '../support/processes';
import { emptyApp, npmInstall, packPackage, requiredPackages, root, tsc } from '../support/package';
import { dropPrefix, eventually, REDIS_URL, testConfig } from '../support/redis';
import { freePort } from '../reliability/helpers';
import { startOtlpReceiver } from '../support/otlp';
import { traceIdOf } from '../../apps/worker/src/tracing';
import { OTEL_PACKAGES } from '../../packages/yieldflow/src/worker';

/**
 * The npm package as a user gets it: packed, installed into an empty directory, a TypeScript file
 * compiled against its typings there, and run against the real Redis beside the service's api: two
 * worker processes with different coroutines share one deployment, each task runs where its coroutine
 * is, and a task of a coroutine no worker has waits until a worker with it starts.
 */
describe('the yieldflow package, installed from its tarball', () => {
  const config = testConfig({ partitions: 4 });
  const fixture = join(__dirname, 'fixture');
  let app = '';
  let how = '';
  let base = '';
  let redis: Redis;
  let reader: TaskReader;
  const procs: ChildProcess[] = [];
  let client: {
    submit(r: { coroutine: string; input?: unknown }): Promise<{ id: string }>;
    send(id: string, v: unknown): Promise<unknown>;
    result(id: string, o?: object): Promise<unknown>;
  };

  const spawnWorker = (set: string, env: NodeJS.ProcessEnv = {}): ChildProcess & { output: string[] } => {
    const child = spawn(process.execPath, [join(app, 'dist', 'worker.js'), set], {
      env: {
        ...process.env,
        REDIS_URL: config.redisUrl,
        YF_PREFIX: config.prefix,
        PARTITIONS: String(config.partitions),
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as ChildProcess & { output: string[] };
    child.output = [];
    child.stdout!.on('data', (d: Buffer) => child.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => child.output.push(d.toString()));
    procs.push(child);
    return child;
  };
  const worker = async (set: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess & { output: string[] }> => {
    const child = spawnWorker(set, env);
    await eventually(async () => (child.output.join('').includes('ready') ? true : undefined), 20_000, 50).catch(() => {
      throw new Error(`worker ${set} did not start: ${child.output.join('')}`);
    });
    return child;
  };

  beforeAll(async () => {
    const tarball = await packPackage();
    app = emptyApp('package');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'probe', private: true }));
    how = await npmInstall(app, [tarball]);
    copyFileSync(join(fixture, 'worker.ts.txt'), join(app, 'src', 'worker.ts'));
    copyFileSync(join(fixture, 'bad.ts.txt'), join(app, 'src', 'bad.ts'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      readFileSync(join(fixture, 'tsconfig.json.txt'), 'utf8').replace(
        'TYPE_ROOTS',
        join(root, 'node_modules', '@types'),
      ),
    );
    redis = new Redis(REDIS_URL);
    reader = new TaskReader(new TaskStore(redis, { prefix: config.prefix, partitions: config.partitions }));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    procs.push(spawnApp('api', config, { PORT: String(port), HOST: '127.0.0.1' }));
    await eventually(async () => ((await fetch(`${base}/health/live`)).status === 200 ? true : undefined), 20_000, 100);
    // the package's own client, from where the application installed it
    const { YieldflowClient } = require(join(app, 'node_modules', 'yieldflow')) as {
      YieldflowClient: new (o: { baseUrl: string }) => typeof client;
    };
    client = new YieldflowClient({ baseUrl: base });
  }, 300_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exited));
    redis?.disconnect();
    await dropPrefix(config.prefix);
  });

  it('installs into an empty directory, and its typings compile there (and catch a wrong call)', async () => {
    expect(['offline', 'registry']).toContain(how);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'yieldflow', 'package.json'), 'utf8')) as {
      dependencies: object;
      peerDependenciesMeta: object;
    };
    expect(Object.keys(pkg.dependencies)).toContain('ioredis');
    expect(pkg.peerDependenciesMeta).toEqual({
      '@nestjs/common': { optional: true },
      '@nestjs/core': { optional: true },
      ...Object.fromEntries(OTEL_PACKAGES.map((p) => [p, { optional: true }])),
    });
    await tsc(app);
    writeFileSync(
      join(app, 'tsconfig.bad.json'),
      JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, files: ['src/bad.ts'] }),
    );
    await expect(tsc(app, 'tsconfig.bad.json')).rejects.toMatchObject({
      stdout: expect.stringMatching(/bad\.ts.*'string' is not assignable to parameter of type 'number'/s),
    });
  }, 120_000);

  it('every package its code loads from its entry points is one of its dependencies', () => {
    const dir = join(app, 'node_modules', 'yieldflow');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string }>;
      dependencies: object;
      peerDependencies: object;
    };
    const entries = Object.values(pkg.exports)
      .filter((e) => typeof e === 'object')
      .map((e) => join(dir, e.default));
    const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];
    const loaded = requiredPackages(entries);
    expect(loaded).toContain('ioredis');
    expect([...loaded].filter((p) => !declared.includes(p))).toEqual([]);
  });

  it('two worker processes with different coroutines: each task runs in the one that has its coroutine', async () => {
    const orders = await worker('orders');
    const mail = await worker('mail');
    expect(orders.output.join('')).toMatch(/ready c-[0-9a-f]{12} orders\.ship,yf\.schedule/);
    expect(mail.output.join('')).toMatch(/ready c-[0-9a-f]{12} mail\.send,yf\.schedule/);
    const ships = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.submit({ coroutine: 'orders.ship', input: { order: `o-${i}` } })),
    );
    const mails = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.submit({ coroutine: 'mail.send', input: i })),
    );
    for (const [i, t] of ships.entries())
      expect(await client.result(t.id, { timeoutMs: 20_000 })).toEqual({ by: 'orders', order: `o-${i}` });
    for (const [i, t] of mails.entries()) {
      await eventually(
        async () => ((await reader.get('default', t.id)).status === 'suspended' ? true : undefined),
        20_000,
      );
      await client.send(t.id, `answer-${i}`);
      expect(await client.result(t.id, { timeoutMs: 20_000 })).toEqual({ by: 'mail', input: i, answer: `answer-${i}` });
    }
  }, 120_000);

  it('a task of a coroutine no worker runs is refused until one announced it, then waits for one, then runs', async () => {
    await expect(client.submit({ coroutine: 'reports.late' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/coroutine 'reports.late' is not registered/),
    });
    // a worker with it announces it, and goes away
    const first = await worker('reports');
    first.kill('SIGTERM');
    await exited(first);
    await new Promise((r) => setTimeout(r, 5_500)); // past the catalog's liveness window
    const task = await client.submit({ coroutine: 'reports.late' });
    const waiting = await eventually(async () => {
      const v = await reader.get('default', task.id);
      return v.waitingFor?.kind === 'worker' ? v : undefined;
    });
    expect(waiting.status).toBe('queued');
    expect(waiting.waitingFor?.reason).toBe("a worker with coroutine 'reports.late' (none is running)");
    const res = await fetch(`${base}/v1/tasks/${task.id}`);
    expect(((await res.json()) as { waitingFor: { kind: string } }).waitingFor.kind).toBe('worker');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await reader.get('default', task.id)).status).toBe('queued');
    await worker('reports');
    expect(await client.result(task.id, { timeoutMs: 20_000 })).toEqual({ by: 'reports', at: true });
  }, 120_000);

  it('traces with otlpEndpoint: what to install when the OpenTelemetry packages are missing, a span per step once they are there', async () => {
    const receiver = await startOtlpReceiver();
    const { endpoint, spans, services } = receiver;
    try {
      const wrong = spawnWorker('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://127.0.0.1/' });
      expect(await exited(wrong)).not.toBe(0);
      expect(wrong.output.join('')).toContain(
        "createWorker: otlpEndpoint: OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL, got 'ftp://127.0.0.1/'",
      );
      const without = spawnWorker('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
      expect(await exited(without)).not.toBe(0);
      expect(without.output.join('')).toContain(
        `otlpEndpoint needs the OpenTelemetry packages installed beside yieldflow (npm install ${OTEL_PACKAGES.join(' ')})`,
      );

      // at the versions the service uses, from the npm cache its install filled
      const service = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      await npmInstall(
        app,
        OTEL_PACKAGES.map((p) => `${p}@${service.dependencies[p]}`),
      );
      const traced = await worker('traced', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
      const task = await client.submit({ coroutine: 'traced.step', input: 1 });
      expect(await client.result(task.id, { timeoutMs: 20_000 })).toEqual({ by: 'traced', input: 1 });
      traced.kill('SIGTERM'); // close() flushes the spans still batched
      await exited(traced);
      const mine = await eventually(async () => {
        const of = spans.filter((s) => s.traceId === traceIdOf(task.id));
        return of.length >= 2 ? of : undefined;
      }, 10_000);
      expect(mine.map((s) => s.name)).toEqual(expect.arrayContaining(['step traced.step']));
      expect(services).toContain('probe-worker');
    } finally {
      await receiver.close();
    }
  }, 180_000);
});
