import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Hit {
  key: string;
  /** When the request arrived, and when its answer was written (undefined: never, the caller went away). */
  at: number;
  answeredAt?: number;
}

/**
 * The callee of the tasks' HTTP steps: counts every request by its Idempotency-Key, optionally holding
 * each answer for `delayMs` so that some calls are in flight when a worker is stopped or killed.
 */
export class StandIn {
  readonly hits: Hit[] = [];
  private server!: Server;
  url = '';

  constructor(private readonly delayMs: () => number = () => 0) {}

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      const hit: Hit = { key: String(req.headers['idempotency-key'] ?? ''), at: Date.now() };
      this.hits.push(hit);
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ key: hit.key }), () => (hit.answeredAt = Date.now()));
        }, this.delayMs());
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  byKey(): Map<string, Hit[]> {
    const m = new Map<string, Hit[]>();
    for (const h of this.hits) {
      let l = m.get(h.key);
      if (!l) m.set(h.key, (l = []));
      l.push(h);
    }
    return m;
  }

  /** Requests received and not answered yet. */
  get inFlight(): number {
    return this.hits.filter((h) => h.answeredAt === undefined).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/**
 * A redis-server of the test's own, persisting with AOF (fsync every second), so the test can stop it
 * (gracefully or with kill -9) and start it again on the same port and directory.
 */
export class OwnRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'yf-redis-'));
  proc: ChildProcess | null = null;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--dir',
        this.dir,
        '--save',
        '',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.proc = proc;
    const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const end = Date.now() + 10_000;
    try {
      for (;;) {
        try {
          if (r.status !== 'ready') await r.connect();
          // answers, and has finished loading the AOF
          if ((await r.ping()) === 'PONG') return;
        } catch {
          r.disconnect();
        }
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`redis-server on ${this.port} did not start`);
        await sleepMs(50);
      }
    } finally {
      r.disconnect();
    }
  }

  /** SHUTDOWN: Redis fsyncs the AOF before it exits, so nothing acknowledged is lost. */
  async shutdown(): Promise<void> {
    const r = new Redis(this.url, { maxRetriesPerRequest: 0 });
    await r.call('SHUTDOWN').catch(() => undefined); // the connection closes as it exits
    r.disconnect();
    await this.exited();
  }

  /** kill -9: whatever was written in the last second (appendfsync everysec) may be lost. */
  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL');
    await this.exited();
  }

  private async exited(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) await new Promise((r) => p.once('exit', r));
  }

  async destroy(): Promise<void> {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
