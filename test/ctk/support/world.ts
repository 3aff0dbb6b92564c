import { type Body, eventually } from '../../support/redis';
import {
  AfterAll,
  BeforeAll,
  setDefaultTimeout,
  setWorldConstructor,
  World,
  type IWorldOptions,
} from '@cucumber/cucumber';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from '../../support/stack';
import { rewriteHosts, startStandIns, type StandIns } from './stand-ins';

/** One Yieldflow stack (api in-process, two workers, a private Redis key prefix) and the stand-ins for the whole run. */
let stack: Stack | undefined;
let standIns: StandIns | undefined;

setDefaultTimeout(20_000);

BeforeAll({ timeout: 30_000 }, async function () {
  standIns = await startStandIns();
  stack = await startStack({ workers: 2, config: { httpAllow: ['127.0.0.1'] } });
});

AfterAll({ timeout: 30_000 }, async function () {
  await stack?.close();
  await standIns?.close();
});

export const TERMINAL = ['completed', 'faulted', 'cancelled'];

export interface TraceEntry {
  task: string;
  ref: string;
  phase: 'started' | 'completed' | 'faulted' | 'cancelled' | 'skipped';
  at: number;
  output?: unknown;
  error?: unknown;
}

/** A workflow of a scenario: its definition (as given, hosts rewritten), its input, and once started its task. */
export interface Workflow {
  definition?: string;
  input: unknown;
  taskId?: string;
  startedAt?: number;
  /** Journal steps when last seen waiting for an event. */
  waitSteps?: number;
  /** The task as GET /v1/tasks/:id last returned it once it ended. */
  ended?: Body;
}

export class CtkWorld extends World {
  /** Workflows by name; the CTK's own steps use the unnamed one (''). */
  readonly workflows = new Map<string, Workflow>();
  /** The answer of the last POST /v1/events. */
  lastPublished?: { status: number; body: Body };

  constructor(options: IWorldOptions) {
    super(options);
  }

  get stack(): Stack {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  }

  get standIns(): StandIns {
    if (!standIns) throw new Error('the stand-ins did not start');
    return standIns;
  }

  workflow(name = ''): Workflow {
    let wf = this.workflows.get(name);
    if (!wf) this.workflows.set(name, (wf = { input: {} }));
    return wf;
  }

  /** The definition with the stand-in hosts pointed at loopback: the only change made to it. */
  localize(text: string): string {
    return rewriteHosts(text, this.standIns.hosts);
  }

  async start(name = ''): Promise<Workflow> {
    const wf = this.workflow(name);
    if (!wf.definition) throw new Error(`no definition given for workflow '${name || '(default)'}'`);
    wf.startedAt = Date.now();
    const res = await this.stack.http.post('/v1/tasks').send({ definition: wf.definition, input: wf.input });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`POST /v1/tasks answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    wf.taskId = res.body.id;
    return wf;
  }

  /** The task once it has ended (completed, faulted or cancelled). */
  async ended(name = '', timeoutMs = 15_000): Promise<Body> {
    const wf = this.workflow(name);
    if (wf.ended) return wf.ended;
    if (!wf.taskId) throw new Error(`workflow '${name || '(default)'}' was not executed`);
    // a cancelled task's closing trace (its finally blocks) is recorded just after it ends
    wf.ended = await eventually(async () => {
      const t = await this.stack.until(wf.taskId!, TERMINAL, timeoutMs);
      return t.status !== 'cancelled' || t.closed ? t : undefined;
    }, timeoutMs);
    return wf.ended;
  }

  async current(name = ''): Promise<Body> {
    const wf = this.workflow(name);
    if (!wf.taskId) throw new Error(`workflow '${name || '(default)'}' was not executed`);
    return (await this.stack.http.get(`/v1/tasks/${wf.taskId}`).expect(200)).body;
  }

  async trace(name = ''): Promise<TraceEntry[]> {
    return ((await this.ended(name)).trace ?? []) as TraceEntry[];
  }
}

setWorldConstructor(CtkWorld);

/** A YAML (or JSON) doc string as a value. */
export function yamlValue(text: string): unknown {
  return parseYaml(text);
}
