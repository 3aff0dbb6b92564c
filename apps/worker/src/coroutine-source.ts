import { type Coroutine, type CoroutineRegistry, type Json, TaskError, ERROR_TYPES } from '@yieldflow/runtime';
import { compileWorkflow, parseWorkflow, type ResumeBudget, validateWorkflow } from '@yieldflow/dsl';
import type { ClaimedTask, TaskStore } from '@yieldflow/store';

/** A coroutine that faults at once, for a task whose code cannot be found or built. */
const failing = (detail: string): Coroutine =>
  function* () {
    throw new TaskError({ type: ERROR_TYPES.configuration, status: 400, title: 'Cannot run task', detail });
  };

/**
 * Finds the generator function a claimed task runs: a registered coroutine by name, or a workflow
 * definition (immutable, by content hash) compiled once and kept.
 */
export class CoroutineSource {
  private readonly compiled = new Map<string, Coroutine>();

  constructor(
    private readonly registry: CoroutineRegistry,
    private readonly store: TaskStore,
    private readonly secrets: Record<string, Json> = {},
    private readonly budget?: ResumeBudget,
  ) {}

  /** Load what the given tasks need that is not loaded yet (one round trip for all their definitions). */
  async prepare(tasks: ClaimedTask[]): Promise<void> {
    const missing = [...new Set(tasks.filter((t) => t.kind === 'definition' && !this.compiled.has(t.definitionHash)).map((t) => t.definitionHash))];
    await Promise.all(
      missing.map(async (hash) => {
        const text = await this.store.getDefinition(hash);
        if (text === null) {
          this.compiled.set(hash, failing(`definition ${hash} is not stored`));
          return;
        }
        try {
          const doc = validateWorkflow(parseWorkflow(JSON.parse(text) as object));
          this.compiled.set(hash, compileWorkflow(doc, { secrets: this.secrets, budget: this.budget }));
        } catch (err) {
          this.compiled.set(hash, failing(`definition ${hash} cannot be compiled: ${(err as Error).message}`));
        }
      }),
    );
  }

  get(task: ClaimedTask): Coroutine {
    if (task.kind === 'coroutine') return this.registry.get(task.name) ?? failing(`coroutine '${task.name}' is not registered in this worker`);
    return this.compiled.get(task.definitionHash) ?? failing(`definition ${task.definitionHash} was not prepared`);
  }
}
