import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSource {
  /** Whether the worker is up and hears its wakes (it gives its partitions up while it cannot). */
  readonly hearing: boolean;
  readonly partitionsOwned: number[];
  readonly workerId: string;
}

/**
 * A worker's own HTTP server (WORKER_METRICS_PORT): `GET /metrics`, its registry in the Prometheus text
 * format, and `GET /health`, 200 while it hears its wakes, else 503 (docker-compose's healthcheck).
 * Nothing else: it answers 404 to every other path and 405 to other methods.
 */
export class MetricsServer {
  private server: Server | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly health: HealthSource,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics' && path !== '/health') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (path === '/health') {
        const ok = this.health.hearing;
        const body = JSON.stringify({
          status: ok ? 'ok' : 'unavailable',
          workerId: this.health.workerId,
          partitions: this.health.partitionsOwned.length,
        });
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(body);
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
