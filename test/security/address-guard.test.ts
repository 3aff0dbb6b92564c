import type { Body } from '../support/redis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressGuard } from '../../apps/worker/src/address-guard';
import { startStack, type Stack } from '../support/stack';
import { as, newAdminKey, until } from './support';

describe('AddressGuard', () => {
  const guard = new AddressGuard();
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    'fe80::1',
    'fd00::1',
    '0.0.0.0',
    '100.64.0.1',
  ])('refuses %s', (ip) => {
    expect(guard.refuse(ip)).toMatch(/loopback, private, link-local or reserved, and not in HTTP_ALLOW/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808'])(
    'allows the public address %s',
    (ip) => {
      expect(guard.refuse(ip)).toBeNull();
    },
  );

  it('opens what HTTP_ALLOW lists: an address, a CIDR, a host name', () => {
    const g = new AddressGuard(['127.0.0.1', '10.20.0.0/16', 'stand-in.internal', 'fd12::/16']);
    expect(g.refuse('127.0.0.1')).toBeNull();
    expect(g.refuse('::ffff:127.0.0.1')).toBeNull();
    expect(g.refuse('127.0.0.2')).not.toBeNull();
    expect(g.refuse('10.20.3.4')).toBeNull();
    expect(g.refuse('10.21.3.4')).not.toBeNull();
    expect(g.refuse('192.168.0.1', 'stand-in.internal')).toBeNull();
    expect(g.refuse('192.168.0.1', 'other.internal')).not.toBeNull();
    expect(g.refuse('fd12::5')).toBeNull();
    expect(g.refuse('169.254.169.254')).not.toBeNull();
  });

  it('refuses a name that resolves to loopback, and the metadata host, at lookup', async () => {
    const look = (host: string) =>
      new Promise<Error | null>((resolve) => guard.lookup(host, {}, (err) => resolve(err)));
    expect((await look('localhost'))?.message).toMatch(/of localhost is loopback/);
    expect((await look('metadata.google.internal'))?.message).toMatch(/cloud metadata service/);
  });
});

/** A workflow calling one URL with call: http. */
const caller = (url: string) => ({
  definition: {
    document: { dsl: '1.0.3', namespace: 'sec', name: 'caller', version: '1.0.0' },
    do: [{ fetch: { call: 'http', with: { method: 'get', endpoint: url, redirect: true } } }],
  },
});

describe('outbound calls from tasks', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url!);
      if (req.url === '/to-metadata')
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      else if (req.url === '/to-other-loopback') res.writeHead(302, { location: `http://127.0.0.2:${port}/ok` }).end();
      else if (req.url === '/to-ok') res.writeHead(302, { location: '/ok' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const refused = (task: Body) => {
    expect(task.status).toBe('faulted');
    expect(task.error.type).toMatch(/errors\/communication$/);
    expect(task.error.status).toBe(403);
    expect(JSON.stringify(task.error)).toMatch(
      /refused: .*loopback, private, link-local or reserved, and not in HTTP_ALLOW/,
    );
  };

  describe('by default', () => {
    let s: Stack;
    const admin = newAdminKey();
    beforeAll(async () => (s = await startStack({ env: { ADMIN_KEY: admin } })));
    afterAll(() => s.close());

    it('refuses 127.0.0.1, a name resolving to loopback, and the metadata address; the stand-in is never reached', async () => {
      hits.length = 0;
      for (const url of [
        `http://127.0.0.1:${port}/ok`,
        `http://localhost:${port}/ok`,
        'http://169.254.169.254/latest/meta-data/',
        `http://[::1]:${port}/ok`,
        `http://[::ffff:127.0.0.1]:${port}/ok`,
      ]) {
        const t = await as(s, admin).post('/v1/tasks').send(caller(url)).expect(201);
        refused(await until(s, admin, t.body.id, ['faulted', 'completed']));
      }
      expect(hits).toEqual([]);
    });
  });

  describe('with HTTP_ALLOW=127.0.0.1', () => {
    let s: Stack;
    const admin = newAdminKey();
    beforeAll(async () => (s = await startStack({ env: { ADMIN_KEY: admin, HTTP_ALLOW: '127.0.0.1' } })));
    afterAll(() => s.close());

    it('reaches the allowed stand-in, and follows a redirect that stays allowed', async () => {
      for (const path of ['/ok', '/to-ok']) {
        const t = await as(s, admin)
          .post('/v1/tasks')
          .send(caller(`http://127.0.0.1:${port}${path}`))
          .expect(201);
        const done = await until(s, admin, t.body.id, ['faulted', 'completed']);
        expect([path, done.status]).toEqual([path, 'completed']);
      }
    });

    it('refuses a redirect from the allowed stand-in to a forbidden address', async () => {
      for (const path of ['/to-metadata', '/to-other-loopback']) {
        hits.length = 0;
        const t = await as(s, admin)
          .post('/v1/tasks')
          .send(caller(`http://127.0.0.1:${port}${path}`))
          .expect(201);
        refused(await until(s, admin, t.body.id, ['faulted', 'completed']));
        expect(hits).toEqual([path]);
      }
    });
  });
});
