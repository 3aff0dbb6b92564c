import { TaskError, type Json } from '@yieldflow/runtime';
import { configurationError, validationError } from '../errors';
import { truthy } from '../expressions/expr';
import { escapePointer } from '../parse';
import type { TaskDef, TaskList, TimeoutDef } from '../types';
import { taskKind } from '../walk';
import { executeKind } from './kinds';
import {
  args,
  asTaskError,
  dateTime,
  durationOf,
  type Flow,
  type Gen,
  isTimeout,
  plain,
  type Run,
  type Scope,
} from './run';

export type { Flow } from './run';

/** Run a task list in order, following `then` directives within it. */
export function* runList(run: Run, list: TaskList, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  const names = list.map((item) => Object.keys(item)[0]);
  let data = input;
  let i = 0;
  while (i < list.length) {
    const name = names[i];
    const flow = yield* runTask(run, name, list[i][name], `${pointer}/${i}/${escapePointer(name)}`, data, scope);
    data = flow.output;
    if (flow.end || flow.then === 'end') return { output: data, end: true };
    if (flow.then === 'exit') return { output: data };
    if (flow.then === undefined || flow.then === 'continue') {
      i++;
      continue;
    }
    const next = names.indexOf(flow.then);
    if (next < 0)
      throw configurationError(
        `flow directive 'then: ${flow.then}' names no task of this list`,
        `${pointer}/${i}/${escapePointer(name)}/then`,
      );
    i = next;
  }
  return { output: data };
}

/** One task: `if`, input, timeout, the task itself, output, export, and its trace entries. */
export function* runTask(
  run: Run,
  name: string,
  task: TaskDef,
  pointer: string,
  rawInput: Json,
  outer: Scope,
): Gen<Flow> {
  const { ctx, ex } = run;
  run.meter.tick(pointer);
  const startedAt = ctx.now();
  const descriptor: Record<string, Json> = {
    name,
    reference: pointer,
    definition: plain(task),
    input: rawInput,
    output: null,
    startedAt: dateTime(startedAt),
  };
  const scope: Scope = { vars: outer.vars, task: descriptor };
  if (task.if !== undefined && !truthy(ex.bare(task.if, rawInput, args(run, scope), `${pointer}/if`))) {
    ctx.record({ task: name, ref: pointer, phase: 'skipped', at: ctx.now() });
    return { output: rawInput };
  }
  ctx.record({ task: name, ref: pointer, phase: 'started', at: startedAt });
  let ended = false;
  const outerDeadline = run.deadline;
  let ownDeadline: number | undefined;
  try {
    const timeout = timeoutOf(run, task.timeout, `${pointer}/timeout`, rawInput, scope);
    if (timeout !== undefined) {
      ownDeadline = startedAt + timeout;
      run.deadline = outerDeadline === undefined ? ownDeadline : Math.min(outerDeadline, ownDeadline);
    }
    checkSchema(run, task.input?.schema, rawInput, `${pointer}/input/schema`, 'task input');
    const input = ex.transform(task.input?.from, rawInput, args(run, scope), `${pointer}/input/from`);
    const kind = taskKind(task);
    if (!kind) throw configurationError(`task '${name}' is of no known kind`, pointer);
    const result = yield* executeKind(run, kind, name, task, pointer, input, scope);
    if (ownDeadline !== undefined && ctx.now() >= ownDeadline)
      throw TaskError.timeout(`task '${name}' overran its timeout`, pointer);
    descriptor.output = result.output;
    const output = ex.transform(task.output?.as, result.output, args(run, scope, { input }), `${pointer}/output/as`);
    checkSchema(run, task.output?.schema, output, `${pointer}/output/schema`, 'task output');
    if (task.export?.as !== undefined) {
      run.context = ex.transform(task.export.as, output, args(run, scope, { input, output }), `${pointer}/export/as`);
      checkSchema(run, task.export.schema, run.context, `${pointer}/export/schema`, 'exported context');
    }
    ended = true;
    ctx.record({ task: name, ref: pointer, phase: 'completed', at: ctx.now(), output });
    return { output, end: result.end, then: result.then ?? task.then };
  } catch (err) {
    let error = asTaskError(err, pointer);
    if (
      ownDeadline !== undefined &&
      isTimeout(err) &&
      ctx.now() >= ownDeadline &&
      (outerDeadline === undefined || ownDeadline <= outerDeadline)
    ) {
      error = TaskError.timeout(`task '${name}' timed out after ${ownDeadline - startedAt} ms`, pointer);
    }
    ended = true;
    ctx.record({ task: name, ref: pointer, phase: 'faulted', at: ctx.now(), error: error.toJSON() as unknown as Json });
    throw error;
  } finally {
    run.deadline = outerDeadline;
    if (!ended) ctx.record({ task: name, ref: pointer, phase: 'cancelled', at: ctx.now() });
  }
}

export function timeoutOf(
  run: Run,
  timeout: string | TimeoutDef | undefined,
  pointer: string,
  input: Json,
  scope: Scope,
): number | undefined {
  if (timeout === undefined) return undefined;
  const def = typeof timeout === 'string' ? run.doc.use?.timeouts?.[timeout] : timeout;
  if (!def) throw configurationError(`no timeout named '${String(timeout)}' in use.timeouts`, pointer);
  return durationOf(
    run,
    def.after,
    input,
    scope,
    typeof timeout === 'string' ? `/use/timeouts/${escapePointer(timeout)}/after` : `${pointer}/after`,
  );
}

export function checkSchema(
  run: Run,
  schema: { document?: Json } | undefined,
  value: Json,
  pointer: string,
  what: string,
): void {
  if (!schema?.document) return;
  const problem = run.validateSchema(schema.document, value);
  if (problem) throw validationError(`${what} does not match its schema: ${problem}`, pointer);
}
