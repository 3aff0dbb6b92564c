import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loopback stand-ins for the public hosts the CTK calls, answering exactly what its scenarios need
 * (call.feature, try.feature, data-flow.feature), plus one for our own retry scenarios.
 */
type Handler = (req: IncomingMessage, url: URL) => { status: number; body?: unknown; headers?: Record<string, string> };

const pets: Record<
  string,
  {
    id: number;
    category: { id: number; name: string };
    name: string;
    photoUrls: string[];
    tags: unknown[];
    status: string;
  }
> = {
  '1': { id: 1, category: { id: 1, name: 'Dogs' }, name: 'Milou', photoUrls: [], tags: [], status: 'available' },
  '2': { id: 2, category: { id: 1, name: 'Dogs' }, name: 'Rex', photoUrls: [], tags: [], status: 'sold' },
  '3': { id: 3, category: { id: 2, name: 'Cats' }, name: 'Felix', photoUrls: [], tags: [], status: 'available' },
};

/** petstore.swagger.io/v2: findByStatus, a pet by numeric id (404 otherwise, as for /pet/getPetByName/...), its swagger.json. */
const petstore: Handler = (req, url) => {
  if (req.method !== 'GET') return { status: 405, body: { code: 405, type: 'unknown', message: 'method not allowed' } };
  if (url.pathname === '/v2/swagger.json') return { status: 200, body: swagger(url.host) };
  if (url.pathname === '/v2/pet/findByStatus') {
    const wanted = url.searchParams.getAll('status').flatMap((s) => s.split(','));
    return { status: 200, body: Object.values(pets).filter((p) => wanted.includes(p.status)) };
  }
  const m = /^\/v2\/pet\/([^/]+)$/.exec(url.pathname);
  if (m && /^\d+$/.test(m[1]))
    return pets[m[1]]
      ? { status: 200, body: pets[m[1]] }
      : { status: 404, body: { code: 1, type: 'error', message: 'Pet not found' } };
  return { status: 404, body: { code: 404, type: 'unknown', message: 'not found' } };
};

function swagger(host: string) {
  return {
    swagger: '2.0',
    info: { title: 'Swagger Petstore', version: '1.0.7' },
    host,
    basePath: '/v2',
    schemes: ['http'],
    paths: {
      '/pet/findByStatus': {
        get: {
          operationId: 'findPetsByStatus',
          produces: ['application/json'],
          parameters: [{ name: 'status', in: 'query', required: true, type: 'array', items: { type: 'string' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/pet/{petId}': {
        get: {
          operationId: 'getPetById',
          produces: ['application/json'],
          parameters: [{ name: 'petId', in: 'path', required: true, type: 'integer' }],
          responses: { '200': { description: 'ok' }, '404': { description: 'Pet not found' } },
        },
      },
    },
  };
}

/** httpbin.org: /basic-auth/{user}/{password} answers 200 to the matching Basic credentials, 401 otherwise. */
const httpbin: Handler = (req, url) => {
  const m = /^\/basic-auth\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (!m) return { status: 404 };
  const [user, password] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
  if (req.headers.authorization === `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`)
    return { status: 200, body: { authenticated: true, user } };
  return { status: 401, headers: { 'www-authenticate': 'Basic realm="Fake Realm"' } };
};

/** /flaky/{key}?failures=N: answers 503 to the first N requests for a key, then 200 with the attempt count. */
function flaky(): Handler {
  const seen = new Map<string, number>();
  return (_req, url) => {
    const m = /^\/flaky\/([^/]+)$/.exec(url.pathname);
    if (!m) return { status: 404 };
    const attempt = (seen.get(m[1]) ?? 0) + 1;
    seen.set(m[1], attempt);
    const failures = Number(url.searchParams.get('failures') ?? '0');
    return attempt <= failures ? { status: 503, body: { attempt } } : { status: 200, body: { attempt, key: m[1] } };
  };
}

export interface StandIns {
  /** Public host → `127.0.0.1:port` of its stand-in. */
  hosts: Record<string, string>;
  /** Requests each stand-in received, as `METHOD host path?query`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startStandIns(): Promise<StandIns> {
  const requests: string[] = [];
  const servers: Server[] = [];
  const hosts: Record<string, string> = {};
  const handlers: Record<string, Handler> = {
    'petstore.swagger.io': petstore,
    'httpbin.org': httpbin,
    'flaky.stand-in.test': flaky(),
  };
  for (const [host, handler] of Object.entries(handlers)) {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
        requests.push(`${req.method} ${host} ${url.pathname}${url.search}`);
        const out = handler(req, url);
        const headers: Record<string, string> = { ...out.headers };
        let text = '';
        if (out.body !== undefined) {
          text = JSON.stringify(out.body);
          headers['content-type'] = 'application/json';
        }
        res.writeHead(out.status, headers).end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    hosts[host] = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    hosts,
    requests,
    close: () =>
      Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}

/** The definition text with each stand-in host's `https://host` (or `http://host`) replaced by `http://127.0.0.1:port`; nothing else changes. */
export function rewriteHosts(text: string, hosts: Record<string, string>): string {
  let out = text;
  for (const [host, local] of Object.entries(hosts)) {
    out = out.replace(new RegExp(`https?://${host.replace(/\./g, '\\.')}(?=[/:?#"'\\s]|$)`, 'gm'), `http://${local}`);
  }
  return out;
}
