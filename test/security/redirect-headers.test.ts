import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressGuard } from '../../apps/worker/src/address-guard';
import { HttpPerformer } from '../../apps/worker/src/http-performer';

/** Two loopback stand-ins on different ports: different origins, both allowed as with HTTP_ALLOW=127.0.0.1. */
describe('credentials on redirects', () => {
  const seen: { server: string; url: string; headers: IncomingHttpHeaders }[] = [];
  let first: Server;
  let second: Server;
  let firstUrl: string;
  let secondUrl: string;
  const serve = (name: string, route: (url: string) => string | null) =>
    createServer((req, res) => {
      seen.push({ server: name, url: req.url!, headers: req.headers });
      const to = route(req.url!);
      if (to) res.writeHead(302, { location: to }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  const listen = async (s: Server) => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  beforeAll(async () => {
    first = serve('first', (url) =>
      url === '/away'
        ? `${secondUrl}/landed`
        : url === '/home'
          ? '/landed'
          : url === '/away-and-back'
            ? `${secondUrl}/back`
            : null,
    );
    second = serve('second', (url) => (url === '/back' ? `${firstUrl}/landed` : null));
    firstUrl = await listen(first);
    secondUrl = await listen(second);
  });
  afterAll(async () => {
    await new Promise((r) => first.close(r));
    await new Promise((r) => second.close(r));
  });

  const performer = new HttpPerformer(new AddressGuard(['127.0.0.1']));
  const call = (path: string) =>
    performer.perform(
      {
        kind: 'http',
        request: {
          method: 'GET',
          url: `${firstUrl}${path}`,
          headers: {
            Authorization: 'Bearer s3cret',
            Cookie: 'session=1',
            'Proxy-Authorization': 'Basic eA==',
            'X-Trace': 't',
          },
        },
      } as never,
      'task:1',
    );

  it('drops Authorization, Cookie and Proxy-Authorization when a redirect leaves the origin', async () => {
    seen.length = 0;
    const res = await call('/away');
    expect((res.r as { status: number }).status).toBe(200);
    const landed = seen.find((s) => s.url === '/landed')!;
    expect(landed.server).toBe('second');
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers.cookie).toBeUndefined();
    expect(landed.headers['proxy-authorization']).toBeUndefined();
    expect(landed.headers['x-trace']).toBe('t');
  });

  it('keeps them on a redirect within the origin', async () => {
    seen.length = 0;
    await call('/home');
    const landed = seen.find((s) => s.url === '/landed')!;
    expect(landed.server).toBe('first');
    expect(landed.headers.authorization).toBe('Bearer s3cret');
    expect(landed.headers.cookie).toBe('session=1');
    expect(landed.headers['proxy-authorization']).toBe('Basic eA==');
  });

  it('does not restore them when a later redirect comes back to the first origin', async () => {
    seen.length = 0;
    await call('/away-and-back');
    const landed = seen.find((s) => s.url === '/landed')!;
    expect(landed.server).toBe('first');
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers.cookie).toBeUndefined();
  });
});
