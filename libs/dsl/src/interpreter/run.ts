import {
  ERROR_TYPES,
  TaskError,
  type CoroutineContext,
  type Effect,
  type Json,
  type YieldResult,
} from '@yieldflow/runtime';
import { durationMs } from '../duration';
import { configurationError, runtimeError } from '../errors';
import { isExpression } from '../expressions/expr';
import type { Expressions } from '../expressions/expr';
import type { Meter } from './meter';
import type { Duration, TaskDef, TaskList, WorkflowDocument } from '../types';

export type Gen<T> = Generator<Effect, T, YieldResult>;

export const RUNTIME_NAME = 'yieldflow';
export const RUNTIME_VERSION = '0.1.0';

export interface DateTimeDescriptor {
  iso8601: string;
  epoch: { seconds: number; milliseconds: number };
  [k: string]: Json;
}

/** The state of one workflow run (one coroutine instance). */
export interface Run {
  doc: WorkflowDocument;
  ctx: CoroutineContext;
  ex: Expressions;
  secrets: Record<string, Json>;
  validateSchema: (schema: Json, value: Json) => string | null;
  context: Json;
  workflow: { id: string; definition: Json; input: Json; startedAt: DateTimeDescriptor };
  runtime: { name: string; version: string; metadata: Json };
  /** What this resume has done so far, against its budget. */
  meter: Meter;
  /** Events emitted so far (ids are `${taskId}-${n}`). */
  emitted: number;
  /** The earliest deadline of the enclosing timeouts, epoch ms. */
  deadline?: number;
  /**
   * Documents fetched by this run (OpenAPI descriptions), by URI and credentials: fetched once per run. A
   * replay rebuilds the same cache from the journaled answers, so later calls skip the same fetches.
   */
  documents?: Map<string, Json>;
  /**
   * Run a nested task list / one task: the interpreter's recursion, reached through the run rather than
   * imported, so the task kinds and the task runner do not import each other.
   */
  list(list: TaskList, pointer: string, input: Json, scope: Scope): Gen<Flow>;
  task(name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow>;
}

/** How a task or a task list ended: its output, and `end` when the whole workflow must end now. */
export interface Flow {
  output: Json;
  end?: boolean;
  /** The task's `then` (a sibling name, `continue`, `exit`, `end`). */
  then?: string;
}

/** What tasks nested in a scope see: iteration and error variables, and the current task. */
export interface Scope {
  vars: Record<string, Json>;
  task?: Record<string, Json>;
}

export function dateTime(ms: number): DateTimeDescriptor {
  return { iso8601: new Date(ms).toISOString(), epoch: { seconds: Math.floor(ms / 1000), milliseconds: ms } };
}

/** The runtime expression arguments (without the `$`). */
export function args(run: Run, scope: Scope, extra: Record<string, Json> = {}): Record<string, Json> {
  const out: Record<string, Json> = {
    context: run.context,
    secrets: run.secrets,
    workflow: run.workflow as unknown as Json,
    runtime: run.runtime as unknown as Json,
    ...scope.vars,
  };
  if (scope.task) out.task = scope.task;
  return Object.assign(out, extra);
}

/** An effect bounded by the enclosing timeouts. */
export function bounded<E extends Effect>(run: Run, effect: E): E {
  if (run.deadline === undefined || effect.kind === 'emit') return effect;
  return {
    ...effect,
    deadline: effect.deadline === undefined ? run.deadline : Math.min(effect.deadline, run.deadline),
  };
}

/** Any thrown value as a TaskError that names where it happened. */
export function asTaskError(err: unknown, instance: string): TaskError {
  if (err instanceof TaskError && err.budget) return err;
  if (err instanceof TaskError) {
    return err.instance
      ? err
      : new TaskError({ type: err.type, status: err.status, title: err.title, detail: err.detail, instance });
  }
  return runtimeError(err instanceof Error ? err.message : String(err), instance);
}

export function isTimeout(err: unknown): err is TaskError {
  return err instanceof TaskError && err.type === ERROR_TYPES.timeout;
}

export function errorJson(err: TaskError): Json {
  return err.toJSON() as unknown as Json;
}

/** Plain JSON copy of a definition fragment, for `$task.definition` and synthesized documents. */
export function plain(v: unknown): Json {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as Json);
}

/**
 * A duration as the DSL writes it: ISO 8601, `{ days, hours, ... }`, or a runtime expression giving either,
 * evaluated where it stands (DSL 1.0.3 allows one wherever a duration goes).
 */
export function durationOf(run: Run, d: Duration, input: Json, scope: Scope, pointer: string): number {
  const value: unknown =
    typeof d === 'string' && isExpression(d) ? run.ex.deep(d, input, args(run, scope, { input }), pointer) : d;
  try {
    return durationMs(value as Duration);
  } catch (err) {
    throw configurationError(`${(err as Error).message}${value !== d ? ` (what ${d} gave)` : ''}`, pointer);
  }
}
