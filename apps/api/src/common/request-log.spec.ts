import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { requestLog, requestLogLevel } from './request-log';

describe('the level of a request log line', () => {
  it('is debug for a quick success, so a line per request costs nothing at info', () => {
    expect(requestLogLevel(200, 5, 1000)).toBe('debug');
    expect(requestLogLevel(201, 5, 1000)).toBe('debug');
  });
  it('is info for a client error, warn for a slow request, error for a server error', () => {
    expect(requestLogLevel(404, 5, 1000)).toBe('info');
    expect(requestLogLevel(200, 1500, 1000)).toBe('warn');
    expect(requestLogLevel(404, 1500, 1000)).toBe('warn');
    expect(requestLogLevel(503, 5, 1000)).toBe('error');
    expect(requestLogLevel(500, 1500, 1000)).toBe('error');
  });
});

/** A real HTTP server behind the middleware: `/<status>?ms=<delay>` answers that status after that delay. */
describe('the request log middleware', () => {
  let server: Server;
  let base = '';
  let lines: Record<string, unknown>[] = [];
  let level = 'info';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const middleware = requestLog(logger, 100);
    server = createServer((req, res) => {
      logger.level = level;
      middleware(req, res, () => {
        const url = new URL(req.url!, 'http://x');
        const status = Number(url.pathname.slice(1)) || 200;
        setTimeout(() => res.writeHead(status).end('ok'), Number(url.searchParams.get('ms') ?? 0));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (lines = []));

  const get = async (path: string, headers: Record<string, string> = {}): Promise<void> => {
    await (await fetch(base + path, { headers })).text();
    await new Promise((r) => setTimeout(r, 20)); // the line is written on 'finish'
  };

  it('at info: a quick success writes nothing, a client error one line, without the headers', async () => {
    level = 'info';
    await get('/201');
    expect(lines).toEqual([]);
    await get('/404', { authorization: 'Bearer yf_secret' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', url: '/404' },
      res: { statusCode: 404 },
    });
    expect(JSON.stringify(lines[0])).not.toContain('yf_secret');
  });

  it('a slow request at warn, a server error at error, with its time', async () => {
    level = 'warn';
    await get('/200?ms=150');
    await get('/503');
    await get('/health/ready?ms=150');
    expect(lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
      [40, 200],
      [50, 503],
    ]);
    expect(lines[0].responseTime).toBeGreaterThanOrEqual(150);
  });

  it('at debug, every request but the probes', async () => {
    level = 'debug';
    await get('/200');
    await get('/metrics');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 20, req: { url: '/200' } });
  });

  it('a request whose client goes away before the answer is logged as aborted', async () => {
    level = 'info';
    const ctl = new AbortController();
    const pending = fetch(`${base}/200?ms=300`, { signal: ctl.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    ctl.abort();
    await pending;
    await new Promise((r) => setTimeout(r, 400));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'request aborted' });
  });
});
