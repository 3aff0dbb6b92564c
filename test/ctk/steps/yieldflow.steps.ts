/**
 * Steps our own scenarios (test/ctk/features) add to the CTK's, in the same style: registered child
 * workflows, CloudEvents published through POST /v1/events, cancellation, elapsed time, skipped tasks, and
 * what the stand-ins received.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { ok, strictEqual } from 'node:assert/strict';
import { type CtkWorld, yamlValue } from '../support/world';
import { eventually } from '../../support/redis';
import { Order } from './assertions';

const name = (n?: string | null) => n ?? '';
const IN = '(?: in "([^"]+)")?';

Given(/^a registered workflow with definition:$/, async function (this: CtkWorld, text: string) {
  const res = await this.stack.http
    .post('/v1/definitions')
    .set('Content-Type', 'application/yaml')
    .send(this.localize(text));
  ok(
    res.status === 201 || res.status === 200,
    `POST /v1/definitions answered ${res.status}: ${JSON.stringify(res.body)}`,
  );
});

When(/^the workflow(?: "([^"]+)")? is started$/, async function (this: CtkWorld, wf?: string) {
  await this.start(name(wf));
});

/**
 * Suspended on a waitForEvent it has not been woken from yet: when asked again after an event, it must have
 * moved on (more steps) to a new wait, so the scenario publishes to the wait it means to.
 */
When(/^the workflow(?: "([^"]+)")? is waiting for events$/, async function (this: CtkWorld, wf?: string) {
  const w = this.workflow(name(wf));
  ok(w.taskId, 'the workflow was not started');
  const seen = w.waitSteps ?? -1;
  const task = await eventually(async () => {
    const t = (await this.stack.http.get(`/v1/tasks/${w.taskId}`).expect(200)).body;
    if (['completed', 'faulted', 'cancelled'].includes(t.status)) return t;
    return t.status === 'suspended' && t.waitingFor?.kind === 'waitForEvent' && t.steps > seen ? t : undefined;
  }, 10_000);
  strictEqual(
    task.status,
    'suspended',
    `the workflow is ${task.status}, not waiting: ${JSON.stringify(task.error ?? task.output)}`,
  );
  w.waitSteps = task.steps;
});

When(/^the event is published:$/, async function (this: CtkWorld, text: string) {
  const res = await this.stack.http.post('/v1/events').send(yamlValue(text) as object);
  strictEqual(res.status, 202, `POST /v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
  this.lastPublished = { status: res.status, body: res.body };
});

Then(/^the event should wake (\d+) tasks?$/, function (this: CtkWorld, count: string) {
  ok(this.lastPublished, 'no event was published');
  strictEqual(this.lastPublished.body.woken, Number(count), `the event woke ${this.lastPublished.body.woken}`);
});

When(/^(\d+) ms have passed$/, async function (this: CtkWorld, ms: string) {
  await new Promise((r) => setTimeout(r, Number(ms)));
});

When(/^the workflow(?: "([^"]+)")? is cancelled$/, async function (this: CtkWorld, wf?: string) {
  const id = this.workflow(name(wf)).taskId;
  ok(id, 'the workflow was not started');
  await this.stack.http.post(`/v1/tasks/${id}/cancel`).expect(200);
});

Then(
  /^the workflow(?: "([^"]+)")? should have taken at least (\d+) ms$/,
  async function (this: CtkWorld, wf: string | undefined, ms: string) {
    const task = await this.ended(name(wf));
    // a task's schedule starts when it is submitted: its waits are measured from then
    const ran = Date.parse(task.finishedAt) - Date.parse(task.createdAt);
    ok(ran >= Number(ms), `the workflow ran ${ran} ms from its submission, expected at least ${ms}`);
  },
);

Then(
  new RegExp(`^([\\w-]+) should have taken at least (\\d+) ms${IN}$`),
  async function (this: CtkWorld, task: string, ms: string, wf?: string) {
    const trace = await this.trace(name(wf));
    const start = trace.find((e) => e.task === task && e.phase === 'started');
    const end = [...trace].reverse().find((e) => e.task === task && e.phase !== 'started');
    ok(start && end, `${task} did not run to an end: ${JSON.stringify(trace)}`);
    ok(end.at - start.at >= Number(ms), `${task} took ${end.at - start.at} ms, expected at least ${ms}`);
  },
);

Then(new RegExp(`^([\\w-]+) should be skipped${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  const last = new Order(await this.trace(name(wf))).last(task);
  strictEqual(last.phase, 'skipped', `${task} ended ${last.phase}`);
});

Then(
  /^the stand-in should have received (\d+) requests? for "([^"]+)"$/,
  function (this: CtkWorld, count: string, path: string) {
    const seen = this.standIns.requests.filter((r) => r.split(' ')[2] === path);
    strictEqual(seen.length, Number(count), `requests: ${JSON.stringify(this.standIns.requests)}`);
  },
);
