#!/usr/bin/env node
// `npm start`: find Redis (REDIS_URL, else 127.0.0.1:6379 if it answers, else a redis-server started
// here with AOF persistence under ./data), then run the api and WORKERS worker processes (default 1), and
// keep them running: a process that dies is started again (after 1 s, doubling to 30 s while it keeps
// dying within a minute of its start), and the others go on. Ctrl-C (SIGINT) or SIGTERM stops them all.
// Worker i (from 0) serves its /metrics and /health on WORKER_METRICS_PORT + i (default 9464 + i).
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.join(__dirname, '..');
const children = [];
let stopping = false;

function ping(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

async function findRedis() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (process.env.REDIS_CLUSTER_NODES) return `redis+cluster://${process.env.REDIS_CLUSTER_NODES}`; // the config reads the nodes
  if (await ping('127.0.0.1', 6379)) return 'redis://127.0.0.1:6379';
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    console.error(
      [
        'Yieldflow needs Redis 7, and none answers on 127.0.0.1:6379 nor is redis-server on the PATH. Either:',
        '  - install it: apt-get install redis-server | brew install redis | dnf install redis',
        '  - or run it in Docker: docker compose up -d redis',
        '  - or point at one: REDIS_URL=redis://host:6379 npm start',
      ].join('\n'),
    );
    process.exit(1);
  }
  const dir = path.join(root, 'data');
  mkdirSync(dir, { recursive: true });
  console.log(`starting redis-server on 127.0.0.1:6379 with AOF persistence in ${dir}`);
  const redis = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      '6379',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(redis);
  for (let i = 0; i < 50; i++) {
    if (await ping('127.0.0.1', 6379)) return 'redis://127.0.0.1:6379';
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('redis-server did not answer within 5 s');
  stop(1);
}

const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A process up this long is healthy again: its next crash restarts it after the shortest delay. */
const HEALTHY_AFTER_MS = 60_000;

function run(name, file, env, delayMs = RESTART_MIN_MS) {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'dist', file)], { env, stdio: 'inherit' });
  children.push(child);
  console.log(`${name} started (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    children.splice(children.indexOf(child), 1);
    if (stopping) return;
    const next = Date.now() - startedAt >= HEALTHY_AFTER_MS ? RESTART_MIN_MS : delayMs;
    console.error(`${name} exited (${signal ?? `code ${code}`}); starting it again in ${next / 1000} s`);
    setTimeout(() => {
      if (!stopping) run(name, file, env, Math.min(next * 2, RESTART_MAX_MS));
    }, next).unref();
  });
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // the app processes first (they finish their work), Redis last
  const isRedis = (c) => c.spawnargs.includes('--appendonly');
  const apps = children.filter((c) => !isRedis(c));
  for (const c of apps) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  const redis = children.find(isRedis);
  Promise.all(
    apps.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))),
  ).then(() => {
    if (redis && redis.exitCode === null) redis.kill('SIGTERM');
    process.exit(code);
  });
  setTimeout(() => process.exit(code), 15_000).unref();
}

async function main() {
  const redisUrl = await findRedis();
  const env = { ...process.env, REDIS_URL: redisUrl };
  const workers = Number(process.env.WORKERS ?? 1);
  run('api', 'apps/api/src/main.js', env);
  // each worker serves its own /metrics and /health, on WORKER_METRICS_PORT (default 9464) + its index
  const metricsBase = Number(process.env.WORKER_METRICS_PORT || 9464);
  for (let i = 0; i < workers; i++)
    run(`worker ${i + 1}`, 'apps/worker/src/main.js', { ...env, WORKER_METRICS_PORT: String(metricsBase + i) });
  console.log(
    `yieldflow: api on http://127.0.0.1:${process.env.PORT ?? 3000} (docs at /docs), ${workers} worker(s) ` +
      `(metrics on ports ${metricsBase}-${metricsBase + workers - 1}), Redis ${redisUrl}`,
  );
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((err) => {
  console.error(err);
  stop(1);
});
