import type { Json } from '@yieldflow/runtime';
import type { TaskDef } from '../types';
import type { TaskKind } from '../walk';
import { runCall } from './call-http';
import { runOpenApi } from './call-openapi';
import { runEmit } from './emit';
import { runFor } from './for';
import { runFork, runWorkflow } from './spawn';
import { runListen } from './listen';
import { runRaise, runSet, runSwitch, runWait } from './simple';
import type { Gen, Run, Scope } from './run';
import type { Flow } from './run';
import { runTry } from './try';
import { configurationError } from '../errors';
import { escapePointer } from '../parse';
import { args } from './run';

export type KindRunner = (
  run: Run,
  name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
) => Gen<Flow>;

const RUNNERS: Record<TaskKind, KindRunner> = {
  call: (run, name, task, pointer, input, scope) =>
    task.call === 'http'
      ? runCall(run, name, task, pointer, input, scope)
      : task.call === 'openapi'
        ? runOpenApi(run, name, task, pointer, input, scope)
        : runFunction(run, name, task, pointer, input, scope),
  do: (run, _name, task, pointer, input, scope) => run.list(task.do, `${pointer}/do`, input, scope),
  emit: runEmit,
  for: runFor,
  fork: runFork,
  listen: runListen,
  raise: runRaise,
  run: runWorkflow,
  set: runSet,
  switch: runSwitch,
  try: runTry,
  wait: runWait,
};

export function executeKind(
  run: Run,
  kind: TaskKind,
  name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  return RUNNERS[kind](run, name, task, pointer, input, scope);
}

/** A call of a function of `use.functions`: that task runs with the evaluated `with` as its input. */
function* runFunction(run: Run, _name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  const fnName = String(task.call);
  const fn = run.doc.use?.functions?.[fnName];
  if (!fn) throw configurationError(`no function named '${fnName}' in use.functions`, `${pointer}/call`);
  const fnInput =
    task.with === undefined ? input : run.ex.deep(task.with, input, args(run, scope, { input }), `${pointer}/with`);
  const flow = yield* run.task(fnName, fn, `/use/functions/${escapePointer(fnName)}`, fnInput, { vars: scope.vars });
  return { output: flow.output };
}
