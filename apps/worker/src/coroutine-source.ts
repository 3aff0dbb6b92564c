import {
  type Coroutine,
  type CoroutineRegistry,
  type Json,
  TaskError,
  type TaskErrorData,
  ERROR_TYPES,
} from '@yieldflow/runtime';
import {
  compileWorkflow,
  parseWorkflow,
  type ResumeBudget,
  validateWorkflow,
  type WorkflowDocument,
} from '@yieldflow/dsl';
import type { ClaimedTask, TaskStore } from '@yieldflow/store';

const CANNOT_RUN = Symbol('cannot run');

/** A coroutine that faults at once, for a task whose code cannot be found or built. */
const failing = (detail: string): Coroutine => {
  const error = { type: ERROR_TYPES.configuration, status: 400, title: 'Cannot run task', detail };
  const fn = function* () {
    throw new TaskError(error);
  };
  return Object.assign(fn, { [CANNOT_RUN]: error });
};

/** Why a coroutine from CoroutineSource cannot run the task at all (the executor faults it without replaying). */
export const cannotRun = (fn: Coroutine): TaskErrorData | undefined =>
  (fn as { [CANNOT_RUN]?: TaskErrorData })[CANNOT_RUN];

/** Compiled (definition, namespace) pairs kept at most, the least recently used dropped first. */
const MAX_COMPILED = 2000;

/**
 * Finds the generator function a claimed task runs: a registered coroutine by name, or a workflow
 * definition. A definition (immutable, by content hash) is loaded and validated once; it is compiled once
 * per namespace it runs in, since its `$secrets` are that namespace's (and only those it declares). One
 * definition can run in several namespaces, so the compiled pairs are kept in a bounded cache; a pair
 * dropped from it is compiled again, synchronously, from the validated definition.
 */
export class CoroutineSource {
  /** By hash: the validated definition, or the coroutine that says why there is none. */
  private readonly docs = new Map<string, WorkflowDocument | Coroutine>();
  /** By namespace and hash. */
  private readonly compiled = new Map<string, Coroutine>();

  constructor(
    private readonly registry: CoroutineRegistry,
    private readonly store: TaskStore,
    /** Namespace → its secrets (SECRETS). */
    private readonly secrets: Record<string, Record<string, Json>> = {},
    private readonly maxCompiled = MAX_COMPILED,
    /** What one resume of a workflow may do (LIMIT_STEPS_PER_RESUME, LIMIT_CPU_MS_PER_RESUME). */
    private readonly budget?: ResumeBudget,
  ) {}

  /** Load what the given tasks need that is not loaded yet (one round trip for all their definitions). */
  async prepare(tasks: ClaimedTask[]): Promise<void> {
    const missing = [
      ...new Set(
        tasks.filter((t) => t.kind === 'definition' && !this.docs.has(t.definitionHash)).map((t) => t.definitionHash),
      ),
    ];
    await Promise.all(
      missing.map(async (hash) => {
        const text = await this.store.getDefinition(hash);
        if (text === null) {
          this.docs.set(hash, failing(`definition ${hash} is not stored`));
          return;
        }
        try {
          this.docs.set(hash, validateWorkflow(parseWorkflow(JSON.parse(text) as object)));
        } catch (err) {
          this.docs.set(hash, failing(`definition ${hash} cannot be compiled: ${(err as Error).message}`));
        }
      }),
    );
  }

  get(task: ClaimedTask): Coroutine {
    if (task.kind === 'coroutine') {
      // created without a version (its creator lacks the coroutine): it starts on this worker's latest, which
      // its first write-back records; one that ran before versions were recorded ran on 1
      task.version ??=
        task.resolution.type === 'start' && task.seq === 0 ? (this.registry.latestVersion(task.name) ?? 1) : 1;
      return this.coroutine(task.name, task.version);
    }
    const key = `${task.namespace}\n${task.definitionHash}`;
    let fn = this.compiled.get(key);
    if (fn !== undefined) {
      this.compiled.delete(key); // most recently used last
      this.compiled.set(key, fn);
      return fn;
    }
    const doc = this.docs.get(task.definitionHash);
    if (doc === undefined) return failing(`definition ${task.definitionHash} was not prepared`);
    if (typeof doc === 'function') return doc;
    try {
      fn = compileWorkflow(doc, { secrets: this.namespaceSecrets(task.namespace), budget: this.budget });
    } catch (err) {
      fn = failing(`definition ${task.definitionHash} cannot be compiled: ${(err as Error).message}`);
    }
    if (this.compiled.size >= this.maxCompiled) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(key, fn);
    return fn;
  }

  /**
   * The version the task started with, never another: its journal was made by that code. A worker without
   * it faults the task with a message saying so; once a worker that has it runs, retry the task.
   */
  private coroutine(name: string, version: number): Coroutine {
    const fn = this.registry.get(name, version);
    if (fn) return fn;
    const have = this.registry.versions(name);
    if (!have.length) return failing(`coroutine '${name}' is not registered in this worker`);
    return failing(
      `coroutine '${name}' version ${version} is not registered in this worker (it has version${have.length > 1 ? 's' : ''} ${have.join(', ')}): ` +
        `the task started on version ${version} and runs only on it; run a worker that registers it, then retry the task (POST /v1/tasks/:id/retry)`,
    );
  }

  private namespaceSecrets(namespace: string): Record<string, Json> {
    return Object.prototype.hasOwnProperty.call(this.secrets, namespace) ? this.secrets[namespace] : {};
  }
}
