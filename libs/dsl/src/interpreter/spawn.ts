import { ERROR_TYPES, spawn, TaskError, type ChildResult, type ChildSpec, type Json } from '@yieldflow/runtime';
import { runtimeError } from '../errors';
import type { TaskDef, WorkflowDocument } from '../types';
import { args, bounded, type Gen, plain, type Run, type Scope } from './run';
import type { Flow } from './run';

/** `run: workflow`: start the referenced workflow as a child task and wait for it; its fault is this task's. */
export function* runWorkflow(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const w = task.run.workflow;
  const childInput =
    w.input === undefined
      ? input
      : run.ex.deep(w.input, input, args(run, scope, { input }), `${pointer}/run/workflow/input`);
  const ref = {
    namespace: w.namespace as string,
    name: w.name as string,
    version: (w.version as string | undefined) ?? 'latest',
  };
  const results: ChildResult[] = yield bounded(run, spawn([{ definitionRef: ref, input: childInput }], 'all'));
  return { output: childOutput(results[0], pointer, `workflow ${ref.namespace}/${ref.name}:${ref.version}`) };
}

/**
 * `fork`: each branch runs as a child task of a synthesized document (the branch as its only task, the
 * parent's `use`), all awaited, or, with `compete`, the first to end wins and the others are cancelled.
 */
export function* runFork(
  run: Run,
  name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  _scope: Scope,
): Gen<Flow> {
  const branches = (task.fork?.branches ?? []) as Record<string, TaskDef>[];
  if (branches.length === 0) return { output: [] };
  const compete = task.fork.compete === true;
  const children: ChildSpec[] = branches.map((branch) => {
    const branchName = Object.keys(branch)[0];
    return { definition: branchDocument(run.doc, name, branchName, branch) as unknown as Json, input };
  });
  if (compete) {
    // `any` resumes with the first child to end: one ChildResult (runtime's SpawnEffect), not a list
    const first: ChildResult | ChildResult[] = yield bounded(run, spawn(children, 'any'));
    return { output: childOutput(Array.isArray(first) ? first[0] : first, pointer, 'the winning branch') };
  }
  const results: ChildResult[] = yield bounded(run, spawn(children, 'all'));
  return { output: results.map((r, i) => childOutput(r, `${pointer}/fork/branches/${i}`, `branch ${i}`)) };
}

export function branchDocument(
  doc: WorkflowDocument,
  forkName: string,
  branchName: string,
  branch: Record<string, TaskDef>,
): WorkflowDocument {
  const out: WorkflowDocument = {
    document: {
      dsl: doc.document.dsl,
      namespace: doc.document.namespace,
      name: documentName(`${doc.document.name}-${forkName}-${branchName}`),
      version: doc.document.version,
    },
    do: [plain(branch) as Record<string, TaskDef>],
  };
  if (doc.use) out.use = plain(doc.use) as WorkflowDocument['use'];
  if (doc.evaluate) out.evaluate = doc.evaluate;
  return out;
}

/** A document name the schema accepts: letters, digits and dashes, at most 63. */
function documentName(raw: string): string {
  const cleaned = raw
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return cleaned || 'branch';
}

function childOutput(r: ChildResult | undefined, instance: string, what: string): Json {
  if (!r) throw runtimeError(`${what} gave no result`, instance);
  if (r.status === 'completed') return r.output ?? null;
  if (r.status === 'faulted') {
    const e = (r.error ?? {}) as Record<string, Json>;
    throw new TaskError({
      type: typeof e.type === 'string' ? e.type : ERROR_TYPES.runtime,
      status: typeof e.status === 'number' ? e.status : 500,
      title: typeof e.title === 'string' ? e.title : undefined,
      detail: typeof e.detail === 'string' ? e.detail : `${what} faulted`,
      instance: typeof e.instance === 'string' ? e.instance : instance,
    });
  }
  throw runtimeError(`${what} was cancelled`, instance);
}
