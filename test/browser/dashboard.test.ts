import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '../support/redis';
import { ADMIN_KEY, type BrowserStack, startBrowserStack } from './support';

// inside page.evaluate the page's globals are reached as (globalThis as any): these tests compile without the DOM's types
const IMAGES = join(__dirname, '..', '..', 'docs', 'images');
jest.setTimeout(60_000);

let s: BrowserStack;
let context: BrowserContext;
let page: Page;
let batchId: string;
let funcA: string;

async function signIn(p: Page, key: string): Promise<void> {
  await p.goto(`${s.base}/dashboard/`);
  await p.getByLabel('API key').fill(key);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('navigation', { name: 'Views' }).waitFor();
}

beforeAll(async () => {
  s = await startBrowserStack();
  // the seed's picture, started first: it takes 3 s
  const batch = await s.call('POST', '/v1/batches', {
    tasks: [{ coroutine: 'seed.func-a' }, { coroutine: 'seed.func-b' }],
  });
  batchId = batch.body.id;
  funcA = batch.body.taskIds[0];
  context = await s.browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await s?.close();
});

test('/dashboard is served with caching headers: the page revalidated, hashed assets immutable, compressed', async () => {
  const index = await fetch(`${s.base}/dashboard/`, { headers: { 'accept-encoding': 'gzip' } });
  expect(index.status).toBe(200);
  expect(index.headers.get('cache-control')).toBe('no-cache');
  expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
  const html = await index.text();
  const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1];
  const js = await fetch(`${s.base}${asset}`, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(js.headers.get('content-encoding')).toBe('br');
  expect(js.headers.get('content-type')).toContain('javascript');
  expect((await fetch(`${s.base}/dashboard/assets/none.js`)).status).toBe(404);
});

test('sign-in: a wrong key is refused with a message, the right one opens the overview', async () => {
  await page.goto(`${s.base}/dashboard/`);
  await page.getByLabel('API key').fill('not-a-key-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await signIn(page, ADMIN_KEY);
  await page.getByRole('heading', { name: /Workers \(1 alive\)/ }).waitFor();
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('yf.key'))).toBe(ADMIN_KEY);
  // the worker's partitions, and Redis up
  const chips = await page.locator('.workers .chip').count();
  expect(chips).toBe(s.stack.config.partitions);
  await page.getByText(/ping \d+ ms/).waitFor();
});

test('the task list updates live, without a reload, when a task is submitted and when it ends', async () => {
  await page.goto(`${s.base}/dashboard/#/tasks`);
  await page.getByRole('table', { name: 'Tasks' }).waitFor();
  await page.evaluate(() => ((globalThis as any).notReloaded = true));
  const created = await s.call('POST', '/v1/tasks', { coroutine: 'seed.consumer' });
  const row = page.locator(`tr[data-id="${created.body.id}"]`);
  await row.waitFor({ timeout: 10_000 });
  expect(await row.getAttribute('data-status')).toMatch(/queued|running|suspended/);
  await s.call('POST', `/v1/tasks/${created.body.id}/cancel`);
  await page.locator(`tr[data-id="${created.body.id}"][data-status="cancelled"]`).waitFor({ timeout: 10_000 });
  expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
});

test('the status filter narrows the list', async () => {
  await page.goto(`${s.base}/dashboard/#/tasks?status=cancelled`);
  const statuses = await eventually(async () => {
    const all = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    return all.length > 0 && all.every((x) => x === 'cancelled') ? all : undefined;
  });
  expect(statuses.length).toBeGreaterThan(0);
  // and the others come back when it is cleared
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator('tbody tr[data-status="completed"]').first().waitFor();
});

test("a task's timeline: queued, then three 1 s sleeps, each marked with its due time and lateness", async () => {
  await s.until(funcA, ['completed']);
  await page.goto(`${s.base}/dashboard/#/tasks/${funcA}`);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await timeline.locator('svg.gantt').waitFor();
  const life = timeline.locator('g.row');
  const kinds = await life.locator('rect.seg').evaluateAll((r) => r.map((e) => e.getAttribute('data-kind')));
  expect(kinds[0]).toBe('queued');
  expect(kinds.filter((k) => k === 'suspended')).toHaveLength(3);
  expect(kinds).toContain('running');
  const marks = timeline.locator('g.susp');
  expect(await marks.count()).toBe(3);
  expect(await marks.locator('line.due').count()).toBe(3);
  expect(await marks.first().locator('text.note').textContent()).toMatch(
    /due 1\.0\d s → resumed 1\.\d\d s, late \d+ ms/,
  );
  await page.getByRole('table', { name: 'Suspensions' }).waitFor();
  await timeline.screenshot({ path: join(IMAGES, 'dashboard-task-timeline.png') });
});

test('send a value into a waiting task from the page, see what it yields back, then cancel it', async () => {
  const created = await s.call('POST', '/v1/tasks', { coroutine: 'seed.consumer' });
  await s.until(created.body.id, ['suspended']);
  await page.goto(`${s.base}/dashboard/#/tasks/${created.body.id}`);
  const send = page.getByRole('form', { name: 'Send a value' });
  await send.getByLabel('Value (JSON)').fill('1');
  await send.getByRole('button', { name: 'Send' }).click();
  await expect(
    send.getByRole('status', { name: 'Yielded back' }).or(send.locator('output')).textContent(),
  ).resolves.toContain('"200 OK"');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('.task-head .badge', { hasText: 'cancelled' }).waitFor();
  expect((await s.call('GET', `/v1/tasks/${created.body.id}`)).body.status).toBe('cancelled');
});

test("the seed batch: func-a's three 1 s sleeps beside func-b's one 3 s sleep, 3 s of wall for 6 s summed", async () => {
  await eventually(
    async () => ((await s.call('GET', `/v1/batches/${batchId}`)).body.finishedAt ? true : undefined),
    15_000,
  );
  await page.goto(`${s.base}/dashboard/#/batches/${batchId}`);
  const chart = page.locator('svg.gantt');
  await chart.waitFor();
  const rows = chart.locator('g.row');
  expect(await rows.count()).toBe(2);
  const sleeps = await rows.evaluateAll((gs) =>
    gs.map((g) => g.querySelectorAll('rect[data-kind="suspended"]').length),
  );
  expect(sleeps.sort()).toEqual([1, 3]);
  expect(await chart.locator('g.row.critical').count()).toBe(1);
  const wall = await page.locator('[data-stat="wall"]').textContent();
  const sum = await page.locator('[data-stat="sum"]').textContent();
  // wall is first start to last finish: a start delayed on a loaded machine shortens it a little
  const [wallS, sumS] = [Number(wall!.replace(' s', '')), Number(sum!.replace(' s', ''))];
  expect(wallS).toBeGreaterThanOrEqual(2.5);
  expect(wallS).toBeLessThan(4);
  expect(sumS).toBeGreaterThanOrEqual(5.9);
  expect(sumS).toBeLessThan(8);
  expect(await page.locator('[data-stat="speedup"]').textContent()).toMatch(/^(1\.[6-9]|2\.)\d*×$/);
  await page.getByText(/Critical path/).waitFor();
  await page.locator('main').screenshot({ path: join(IMAGES, 'dashboard-batch.png') });
});

test('the overview charts resumes and lateness; screenshot', async () => {
  await page.goto(`${s.base}/dashboard/#/overview`);
  await page
    .locator('[data-status="completed"]')
    .filter({ hasText: /^[1-9]/ })
    .waitFor();
  // two samples of the workers' counters make a first point (every 2 s)
  await page.locator('.uplot').first().waitFor();
  await eventually(
    async () => ((await page.getByText('Collecting samples').count()) === 0 ? true : undefined),
    10_000,
    200,
  );
  await page.screenshot({ path: join(IMAGES, 'dashboard-overview.png'), fullPage: true });
});

test('a viewer key sees no actions, and the api refuses them', async () => {
  const key = await s.call('POST', '/v1/keys', { namespace: 'system', role: 'viewer', name: 'dash-viewer' });
  const viewer = await s.browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const p = await viewer.newPage();
    await signIn(p, key.body.token);
    await p.goto(`${s.base}/dashboard/#/tasks/${funcA}`);
    await p.getByText('actions are hidden').waitFor();
    expect(await p.getByRole('button', { name: /Cancel|Send|Rerun|Pause/ }).count()).toBe(0);
    const status = await p.evaluate(async (id) => {
      const res = await fetch(`/v1/tasks/${id}/rerun`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${(globalThis as any).sessionStorage.getItem('yf.key')}`,
          'content-type': 'application/json',
        },
        body: '{}',
      });
      return res.status;
    }, funcA);
    expect(status).toBe(403);
  } finally {
    await viewer.close();
  }
});

test('dark and light: the system preference, then the toggle', async () => {
  const dark = await s.browser.newContext({ colorScheme: 'dark', viewport: { width: 390, height: 800 } });
  try {
    const p = await dark.newPage();
    await p.goto(`${s.base}/dashboard/`);
    await p.getByLabel('API key').waitFor();
    await p.evaluate((k) => (globalThis as any).sessionStorage.setItem('yf.key', k), ADMIN_KEY);
    await p.goto(`${s.base}/dashboard/#/tasks`);
    await p.reload();
    await p.getByRole('table', { name: 'Tasks' }).waitFor();
    const bg = (): Promise<number> =>
      p.evaluate(() => {
        const [r, g, b] = (globalThis as any)
          .getComputedStyle((globalThis as any).document.body)
          .backgroundColor.match(/\d+/g)!
          .map(Number);
        return (r + g + b) / 3;
      });
    expect(await bg()).toBeLessThan(60);
    // a phone's width: nothing wider than the screen but the tables' own scroll boxes
    expect(await p.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.getByRole('button', { name: 'Toggle dark and light' }).click();
    // the theme is applied by an effect after the next render, not within the click
    await p.waitForFunction(() => (globalThis as any).document.documentElement.dataset.theme === 'light', null, {
      timeout: 5_000,
    });
    expect(await bg()).toBeGreaterThan(200);
    expect(await p.evaluate(() => (globalThis as any).localStorage.getItem('yf.theme'))).toBe('light');
  } finally {
    await dark.close();
  }
});

test('keyboard: the views are reached with Tab and Enter', async () => {
  await page.goto(`${s.base}/dashboard/#/overview`);
  await page.reload();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // brand
  await page.keyboard.press('Tab'); // Overview
  await page.keyboard.press('Tab'); // Tasks
  expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Tasks');
  await page.keyboard.press('Enter');
  await page.getByRole('table', { name: 'Tasks' }).waitFor();
  expect(page.url()).toContain('#/tasks');
});
