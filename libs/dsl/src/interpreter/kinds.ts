import type { Json } from '@yieldflow/runtime';
import type { TaskDef } from '../types';
import type { TaskKind } from '../walk';
import { runCall } from './call-http';
import { runEmit } from './emit';
import { runFor } from './for';
import { runFork, runWorkflow } from './spawn';
import { runListen } from './listen';
import { runRaise, runSet, runSwitch, runWait } from './simple';
import type { Gen, Run, Scope } from './run';
import { runList, type Flow } from './task';
import { runTry } from './try';

export type KindRunner = (run: Run, name: string, task: TaskDef, pointer: string, input: Json, scope: Scope) => Gen<Flow>;

const RUNNERS: Record<TaskKind, KindRunner> = {
  call: runCall,
  do: (run, _name, task, pointer, input, scope) => runList(run, task.do, `${pointer}/do`, input, scope),
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

export function executeKind(run: Run, kind: TaskKind, name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  return RUNNERS[kind](run, name, task, pointer, input, scope);
}
