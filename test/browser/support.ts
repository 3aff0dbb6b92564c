import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { type Body, eventually } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

export const ADMIN_KEY = 'dashboard-test-admin-key-0123456789';

export interface BrowserStack {
  stack: Stack;
  browser: Browser;
  /** http://127.0.0.1:<port> of the api, serving /dashboard. */
  base: string;
  /** A request to the api with the admin key. */
  call<T = Body>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  /** Poll a task (with the admin key) until its status is one of `statuses`. */
  until(id: string, statuses: string[], timeoutMs?: number): Promise<Body>;
  close(): Promise<void>;
}

/** The api (listening on a free port, keys required) and a worker, and Debian's chromium, headless, with a fresh profile. */
export async function startBrowserStack(): Promise<BrowserStack> {
  const stack = await startStack({ env: { ADMIN_KEY } });
  await stack.app.listen(0, '127.0.0.1');
  const { port } = stack.app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  // playwright starts chromium with a fresh profile (--user-data-dir) of its own in the temp directory
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-quic',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
  } catch (err) {
    await stack.close();
    throw err;
  }
  const out: BrowserStack = {
    stack,
    browser,
    base,
    async call(method, path, body, key = ADMIN_KEY) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    until(id, statuses, timeoutMs = 10_000) {
      return eventually(
        async () => {
          const res = await out.call('GET', `/v1/tasks/${id}`);
          return statuses.includes(res.body?.status) ? res.body : undefined;
        },
        timeoutMs,
        100,
      );
    },
    async close() {
      await browser.close();
      await stack.close();
    },
  };
  return out;
}
