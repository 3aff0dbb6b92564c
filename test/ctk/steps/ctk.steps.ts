/**
 * The steps of the Serverless Workflow CTK (ctk/README.md), through the REST API. Each step that names a
 * workflow also takes an optional quoted name (`the workflow "child" ...`), so our own scenarios can run
 * several workflows in one scenario with the same wording; the CTK's unnamed workflow is ''.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { type CtkWorld, yamlValue } from '../support/world';
import { at, expectError, missing, Order, quotedList } from './assertions';

const name = (n?: string | null) => n ?? '';

// Arrange

Given(/^a workflow(?: "([^"]+)")? with definition:$/, function (this: CtkWorld, wf: string | undefined, text: string) {
  this.workflow(name(wf)).definition = this.localize(text);
});

Given(
  /^(?:given )?the workflow(?: "([^"]+)")? input is:$/,
  function (this: CtkWorld, wf: string | undefined, text: string) {
    this.workflow(name(wf)).input = yamlValue(text);
  },
);

// Act

When(/^the workflow(?: "([^"]+)")? is executed$/, async function (this: CtkWorld, wf: string | undefined) {
  await this.start(name(wf));
});

// Assert: the workflow

const outcome = async (world: CtkWorld, wf: string | undefined, status: string) => {
  const task = await world.ended(name(wf));
  strictEqual(
    task.status,
    status,
    `the workflow is ${task.status}, expected ${status}; error: ${JSON.stringify(task.error)}; output: ${JSON.stringify(task.output)}`,
  );
  return task;
};

Then(/^the workflow(?: "([^"]+)")? should cancel$/, async function (this: CtkWorld, wf?: string) {
  await outcome(this, wf, 'cancelled');
});

Then(/^the workflow(?: "([^"]+)")? should complete$/, async function (this: CtkWorld, wf?: string) {
  await outcome(this, wf, 'completed');
});

Then(
  /^the workflow(?: "([^"]+)")? should complete with output:$/,
  async function (this: CtkWorld, wf: string | undefined, text: string) {
    const task = await outcome(this, wf, 'completed');
    deepStrictEqual(task.output ?? null, yamlValue(text) ?? null);
  },
);

Then(/^the workflow(?: "([^"]+)")? should fault$/, async function (this: CtkWorld, wf?: string) {
  await outcome(this, wf, 'faulted');
});

Then(
  /^the workflow(?: "([^"]+)")? should fault with error:$/,
  async function (this: CtkWorld, wf: string | undefined, text: string) {
    const task = await outcome(this, wf, 'faulted');
    expectError(task.error, yamlValue(text), 'the workflow error');
  },
);

Then(
  /^the workflow(?: "([^"]+)")? output should have properties (.+)$/,
  async function (this: CtkWorld, wf: string | undefined, list: string) {
    const task = await outcome(this, wf, 'completed');
    for (const path of quotedList(list))
      ok(at(task.output, path) !== missing, `the output has no '${path}': ${JSON.stringify(task.output)}`);
  },
);

Then(
  /^the workflow(?: "([^"]+)")? output should have an? '([^']+)' property with value:$/,
  async function (this: CtkWorld, wf: string | undefined, path: string, text: string) {
    const task = await outcome(this, wf, 'completed');
    const value = at(task.output, path);
    ok(value !== missing, `the output has no '${path}': ${JSON.stringify(task.output)}`);
    deepStrictEqual(value, yamlValue(text));
  },
);

Then(
  /^the workflow(?: "([^"]+)")? output should have an? '([^']+)' property containing (\d+) items?$/,
  async function (this: CtkWorld, wf: string | undefined, path: string, count: string) {
    const task = await outcome(this, wf, 'completed');
    const value = at(task.output, path);
    ok(Array.isArray(value), `the output's '${path}' is not a list: ${JSON.stringify(task.output)}`);
    strictEqual(value.length, Number(count), `'${path}' is ${JSON.stringify(value)}`);
  },
);

// Assert: tasks, from the trace of GET /v1/tasks/:id (in the workflow "name" when given with `in "name"`)

const order = async (world: CtkWorld, wf?: string) => new Order(await world.trace(name(wf)));
const IN = '(?: in "([^"]+)")?';

Then(new RegExp(`^([\\w-]+) should run first${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  const o = await order(this, wf);
  ok(o.first(task), `${task} did not run first: tasks started in the order ${JSON.stringify(o.started())}`);
});

Then(new RegExp(`^([\\w-]+) should run last${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  const o = await order(this, wf);
  ok(o.lastToRun(task), `${task} did not run last: tasks started in the order ${JSON.stringify(o.started())}`);
});

Then(
  new RegExp(`^([\\w-]+) should run before ([\\w-]+)${IN}$`),
  async function (this: CtkWorld, a: string, b: string, wf?: string) {
    const o = await order(this, wf);
    ok(o.before(a, b), `${a} did not run before ${b}: tasks started in the order ${JSON.stringify(o.started())}`);
  },
);

Then(
  new RegExp(`^([\\w-]+) should run after ([\\w-]+)${IN}$`),
  async function (this: CtkWorld, b: string, a: string, wf?: string) {
    const o = await order(this, wf);
    ok(o.before(a, b), `${b} did not run after ${a}: tasks started in the order ${JSON.stringify(o.started())}`);
  },
);

const taskOutcome = async (world: CtkWorld, task: string, wf: string | undefined, phase: string) => {
  const last = (await order(world, wf)).last(task);
  strictEqual(last.phase, phase, `${task} ended ${last.phase}, expected ${phase}: ${JSON.stringify(last)}`);
  return last;
};

Then(new RegExp(`^([\\w-]+) should cancel${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  await taskOutcome(this, task, wf, 'cancelled');
});

Then(new RegExp(`^([\\w-]+) should complete${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  await taskOutcome(this, task, wf, 'completed');
});

Then(
  new RegExp(`^([\\w-]+) should complete with output${IN}:$`),
  async function (this: CtkWorld, task: string, wf: string | undefined, text: string) {
    const last = await taskOutcome(this, task, wf, 'completed');
    deepStrictEqual(last.output ?? null, yamlValue(text) ?? null);
  },
);

Then(new RegExp(`^([\\w-]+) should fault${IN}$`), async function (this: CtkWorld, task: string, wf?: string) {
  await taskOutcome(this, task, wf, 'faulted');
});

Then(
  new RegExp(`^([\\w-]+) should fault with error${IN}:$`),
  async function (this: CtkWorld, task: string, wf: string | undefined, text: string) {
    const last = await taskOutcome(this, task, wf, 'faulted');
    expectError(last.error, yamlValue(text), `${task}'s error`);
  },
);
