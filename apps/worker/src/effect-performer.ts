import { BudgetError, type ChildSpec, type Json, type JournalEntry, TaskError, ERROR_TYPES } from '@yieldflow/runtime';
import { type DefinitionRegistry, type NewTask, type TaskStore, childId, contentHash } from '@yieldflow/store';
import type { Held } from './executor';
import type { HttpPerformer } from './http-performer';
import { NamespaceRedactors } from './redaction';
import type { StartPerformer } from './start-performer';
import { ActivityPerformer } from './activity-performer';
import type { JobSteps } from './job-steps';

export interface IoTracing {
  /** Run one IO call of a held task inside its span; `call` is given the span's W3C traceparent. */
  io(held: Held, call: (traceparent: string) => Promise<void>): Promise<void>;
}

/** How deep spawns may nest, and how many tasks one root task may have below it, all levels together. */
export interface SpawnBudgets {
  spawnDepth: number;
  descendants: number;
}

export const DEFAULT_SPAWN_BUDGETS: SpawnBudgets = { spawnDepth: 32, descendants: 100_000 };

/**
 * Performs the effects a worker holds (http, emit, spawn, start, activity, job) and resolves the task with the result,
 * exactly once per step: a repeat after a crash finds the step resolved and changes nothing.
 */
export class EffectPerformer {
  constructor(
    private readonly store: TaskStore,
    private readonly http: HttpPerformer,
    /** Which coroutines a child or started task may run: this deployment's catalog (any worker group's). */
    private readonly registry: {
      has(name: string): boolean | Promise<boolean>;
      latestVersion?(name: string): number | undefined;
    },
    private readonly definitions: DefinitionRegistry,
    private readonly redactors: NamespaceRedactors = new NamespaceRedactors(),
    private readonly budgets: SpawnBudgets = DEFAULT_SPAWN_BUDGETS,
    private readonly starts?: StartPerformer,
    private readonly activities: ActivityPerformer = new ActivityPerformer(),
    private readonly jobs?: JobSteps,
  ) {}

  /** Traces each IO call when set (tracing.ts); an http call carries its span in `traceparent`. */
  tracing?: IoTracing;

  async perform(held: Held): Promise<void> {
    if (this.tracing) return this.tracing.io(held, (traceparent) => this.performOnce(held, traceparent));
    return this.performOnce(held);
  }

  private async performOnce(held: Held, traceparent?: string): Promise<void> {
    const { task, seq } = held;
    const redactor = this.redactors.for(task.namespace);
    // what leaves the worker for the store (an event, children's input, the result) carries no $secrets;
    // only the HTTP call itself is made with them
    const effect = held.effect.kind === 'http' ? held.effect : redactor.value(held.effect);
    const deadline = 'deadline' in effect ? effect.deadline : undefined;
    let entry: Pick<JournalEntry, 'r' | 'e'> | null;
    try {
      switch (effect.kind) {
        case 'http':
          entry = await this.http.perform(
            effect,
            `${task.id}:${seq}`,
            deadline,
            traceparent ? { traceparent } : undefined,
          );
          break;
        case 'emit': {
          const event = {
            specversion: '1.0',
            id: `${task.id}-${seq}`,
            time: new Date().toISOString(),
            ...effect.event,
          } as Record<string, Json>;
          await this.store.publishEvent(task.namespace, event as never);
          entry = { r: event };
          break;
        }
        case 'spawn':
          entry = await this.spawn(task.id, task.namespace, seq, effect.children);
          if (entry === null) {
            // the parent was cancelled (or moved on) while its children were being created: they go too
            if ((await this.store.resolve(task.id, seq, null)) === -1)
              await this.cancelChildren(task.id, seq, effect.children.length);
            return;
          }
          break;
        case 'start':
          if (!this.starts) throw new Error('start is not performed by this worker');
          entry = await this.starts.perform(task, effect);
          break;
        case 'activity':
          entry = await this.activities.perform(effect, { taskId: task.id, step: seq, namespace: task.namespace });
          break;
        case 'job':
          if (!this.jobs) throw new Error('job steps are not enabled on this worker (its bullmq option is false)');
          // the task waits on, out of the active set, until its job ends (JobSteps resolves it then)
          await this.jobs.add(task, seq, effect);
          await this.store.resolve(task.id, seq, null);
          return;
        default:
          throw new Error(`effect ${(effect as { kind: string }).kind} is not performed by the worker`);
      }
    } catch (err) {
      entry = {
        e:
          err instanceof TaskError
            ? err.toJSON()
            : { type: ERROR_TYPES.runtime, status: 500, title: 'Effect failed', detail: (err as Error).message },
      };
    }
    await this.store.resolve(task.id, seq, entry === null ? null : redactor.value(entry));
  }

  /**
   * Create the children (ids derived from the parent's step, so a repeat creates nothing) and park the
   * parent; refused when it would nest deeper than LIMIT_SPAWN_DEPTH or give the root task more than
   * LIMIT_DESCENDANTS tasks below it.
   */
  private async spawn(
    parentId: string,
    namespace: string,
    seq: number,
    specs: ChildSpec[],
  ): Promise<Pick<JournalEntry, 'r' | 'e'> | null> {
    if (specs.length === 0) return { r: [] };
    const { depth: parentDepth, root } = await this.store.lineage(parentId);
    const depth = parentDepth + 1;
    if (depth > this.budgets.spawnDepth)
      return {
        e: new BudgetError(
          'LIMIT_SPAWN_DEPTH',
          this.budgets.spawnDepth,
          depth,
          'levels of children below the first task',
        ).toJSON(),
      };
    const total = await this.store.countDescendants(root, `${parentId}:${seq}`, specs.length);
    if (total > this.budgets.descendants)
      return {
        e: new BudgetError(
          'LIMIT_DESCENDANTS',
          this.budgets.descendants,
          total,
          `tasks below the first task (${root})`,
        ).toJSON(),
      };
    const tasks: NewTask[] = [];
    const definitions = new Map<string, string>();
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const base = {
        id: childId(parentId, seq, i),
        namespace,
        input: spec.input ?? null,
        parent: { id: parentId, seq, index: i, depth, root },
      };
      if ('coroutine' in spec) {
        if (!(await this.registry.has(spec.coroutine)))
          return { e: notFound(`coroutine '${spec.coroutine}' is not registered`) };
        tasks.push({
          ...base,
          kind: 'coroutine',
          name: spec.coroutine,
          version: this.registry.latestVersion?.(spec.coroutine),
        });
      } else if ('definition' in spec) {
        const text = JSON.stringify(spec.definition);
        const hash = contentHash(text);
        definitions.set(hash, text);
        const doc = spec.definition as { document?: { name?: string } };
        tasks.push({ ...base, kind: 'definition', name: doc.document?.name ?? 'child', definitionHash: hash });
      } else {
        const ref = spec.definitionRef;
        const found = await this.definitions.resolve(namespace, ref.namespace ?? 'default', ref.name, ref.version);
        if (!found)
          return {
            e: notFound(
              `workflow ${ref.namespace ?? 'default'}/${ref.name}${ref.version ? `@${ref.version}` : ''} is not registered`,
            ),
          };
        tasks.push({ ...base, kind: 'definition', name: ref.name, definitionHash: found.hash });
      }
    }
    await this.store.putDefinitions(definitions);
    await this.store.create(tasks);
    return null;
  }

  private async cancelChildren(parentId: string, seq: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.store.cancel(null, childId(parentId, seq, i)).catch(() => undefined);
  }
}

const notFound = (detail: string) => ({ type: ERROR_TYPES.configuration, status: 404, title: 'Not found', detail });
