import { escapePointer } from './parse';
import type { TaskDef } from './types';

export const TASK_KINDS = [
  'call',
  'emit',
  'for',
  'fork',
  'listen',
  'raise',
  'run',
  'set',
  'switch',
  'try',
  'wait',
  'do',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Which kind of task an object is ('for' and 'try' tasks also hold a 'do' or 'catch'). */
export function taskKind(task: unknown): TaskKind | null {
  if (!task || typeof task !== 'object' || Array.isArray(task)) return null;
  for (const k of TASK_KINDS) if (k in task) return k;
  return null;
}

type Visitor = (pointer: string, name: string, task: TaskDef) => void;

/** Visit every task of a document (depth first, in declaration order) with its JSON pointer. */
export function walkTasks(doc: unknown, visit: Visitor): void {
  if (!doc || typeof doc !== 'object') return;
  const d = doc as TaskDef;
  walkList(d.do, '/do', visit);
  const functions = d.use?.functions;
  if (functions && typeof functions === 'object') {
    for (const [name, task] of Object.entries(functions))
      walkTask(task, `/use/functions/${escapePointer(name)}`, name, visit);
  }
}

export function walkList(list: unknown, pointer: string, visit: Visitor): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    for (const [name, task] of Object.entries(item))
      walkTask(task, `${pointer}/${i}/${escapePointer(name)}`, name, visit);
  });
}

function walkTask(value: unknown, pointer: string, name: string, visit: Visitor): void {
  if (!value || typeof value !== 'object') return;
  const task = value as TaskDef;
  visit(pointer, name, task);
  const kind = taskKind(task);
  if (kind === 'do' || kind === 'for') walkList(task.do, `${pointer}/do`, visit);
  if (kind === 'fork') walkList(task.fork?.branches, `${pointer}/fork/branches`, visit);
  if (kind === 'try') {
    walkList(task.try, `${pointer}/try`, visit);
    walkList(task.catch?.do, `${pointer}/catch/do`, visit);
  }
  if (kind === 'listen') walkList(task.foreach?.do, `${pointer}/foreach/do`, visit);
}
