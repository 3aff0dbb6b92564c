import { sleep, TaskError, type Json } from '@yieldflow/runtime';
import { configurationError } from '../errors';
import { durationMs } from '../duration';
import { truthy } from '../expressions/expr';
import type { ErrorDef, TaskDef } from '../types';
import { args, bounded, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

export function* runSet(run: Run, _name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  const a = args(run, scope, { input });
  const value =
    typeof task.set === 'string'
      ? run.ex.bare(task.set, input, a, `${pointer}/set`)
      : run.ex.deep(task.set, input, a, `${pointer}/set`);
  return { output: value };
}

export function* runSwitch(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const cases = task.switch as Record<string, { when?: string; then?: string }>[];
  let fallback: string | undefined;
  for (let i = 0; i < cases.length; i++) {
    const caseName = Object.keys(cases[i])[0];
    const c = cases[i][caseName];
    if (c.when === undefined) {
      fallback ??= c.then ?? 'continue';
      continue;
    }
    if (truthy(run.ex.bare(c.when, input, args(run, scope, { input }), `${pointer}/switch/${i}/${caseName}/when`))) {
      return { output: input, then: c.then ?? 'continue' };
    }
  }
  // no case matched and no default: the switch's own `then` applies
  return { output: input, then: fallback };
}

export function* runWait(run: Run, name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  let d = task.wait;
  if (typeof d === 'string' && d.trim().startsWith('${'))
    d = run.ex.deep(d, input, args(run, scope, { input }), `${pointer}/wait`);
  let ms: number;
  try {
    ms = durationMs(d);
  } catch (err) {
    throw configurationError((err as Error).message, `${pointer}/wait`);
  }
  const from = run.ctx.now();
  const effect = bounded(run, sleep(ms, name));
  yield effect;
  // A sleep cut short by its deadline is a timeout, even when the engine resumes it as if it had ended.
  if (effect.deadline !== undefined && from + ms > effect.deadline && run.ctx.now() >= effect.deadline) {
    throw TaskError.timeout(`wait '${name}' reached its deadline`, pointer);
  }
  return { output: input };
}

export function* runRaise(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const ref = task.raise.error as string | ErrorDef;
  const def = typeof ref === 'string' ? run.doc.use?.errors?.[ref] : ref;
  if (!def) throw configurationError(`no error named '${String(ref)}' in use.errors`, `${pointer}/raise/error`);
  const a = args(run, scope, { input });
  const text = (v: unknown, at: string): string | undefined => {
    if (v === undefined) return undefined;
    const r = run.ex.deep(v as Json, input, a, `${pointer}/raise/error/${at}`);
    return typeof r === 'string' ? r : JSON.stringify(r);
  };
  const status = run.ex.deep(def.status as Json, input, a, `${pointer}/raise/error/status`);
  throw new TaskError({
    type: text(def.type, 'type')!,
    status: typeof status === 'number' ? status : Number(status),
    title: text(def.title, 'title'),
    detail: text(def.detail, 'detail'),
    instance: text(def.instance, 'instance') ?? pointer,
  });
}
