import type { Json } from '@yieldflow/runtime';
import { truthy } from '../expressions/expr';
import type { TaskDef } from '../types';
import { args, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

/** `for`: run `do` once per item of `in`, each iteration's output the next one's input, while `while` holds. */
export function* runFor(run: Run, _name: string, task: TaskDef, pointer: string, input: Json, scope: Scope): Gen<Flow> {
  const each: string = task.for.each ?? 'item';
  const at: string = task.for.at ?? 'index';
  const collection = run.ex.bare(task.for.in, input, args(run, scope, { input }), `${pointer}/for/in`);
  const items: Json[] = Array.isArray(collection)
    ? collection
    : collection !== null && typeof collection === 'object'
      ? Object.values(collection)
      : collection === null
        ? []
        : [collection];
  let data = input;
  for (let i = 0; i < items.length; i++) {
    run.meter.tick(`${pointer}/for`);
    const inner: Scope = { vars: { ...scope.vars, [each]: items[i], [at]: i }, task: scope.task };
    if (
      task.while !== undefined &&
      !truthy(run.ex.bare(task.while, data, args(run, inner, { input }), `${pointer}/while`))
    )
      break;
    const flow = yield* run.list(task.do, `${pointer}/do`, data, inner);
    data = flow.output;
    if (flow.end) return { output: data, end: true };
  }
  return { output: data };
}
