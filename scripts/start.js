#!/usr/bin/env node
// `npm start`: find Redis (REDIS_URL, else 127.0.0.1:6379 if it answers, else a redis-server started
// here with AOF persistence under ./data), then run the api and WORKERS worker processes (default 1).
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
  const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(redis);
  for (let i = 0; i < 50; i++) {
    if (await ping('127.0.0.1', 6379)) return 'redis://127.0.0.1:6379';
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('redis-server did not answer within 5 s');
  stop(1);
}

function run(name, file, env) {
  const child = spawn(process.execPath, [path.join(root, 'dist', file)], { env, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping`);
      stop(code || 1);
    }
  });
}

function stop(code = 0) {
  stopping = true;
  // the app processes first (they finish their work), Redis last
  const apps = children.slice(1);
  for (const c of children) if (c.exitCode === null && !c.spawnargs.includes('--appendonly')) c.kill('SIGTERM');
  const redis = children.find((c) => c.spawnargs.includes('--appendonly'));
  Promise.all(apps.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => {
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
  for (let i = 0; i < workers; i++) run(`worker ${i + 1}`, 'apps/worker/src/main.js', env);
  console.log(`yieldflow: api on http://127.0.0.1:${process.env.PORT ?? 3000} (docs at /docs), ${workers} worker(s), Redis ${redisUrl}`);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
main().catch((err) => {
  console.error(err);
  stop(1);
});
