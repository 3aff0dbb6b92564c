import { Inject, Injectable } from '@nestjs/common';
import type { CoroutineRegistry, Json } from '@yieldflow/runtime';
import type { Config } from '@yieldflow/contracts';
import {
  ConcurrencyLimits,
  CoroutineCatalog,
  DefinitionRegistry,
  NewTask,
  NotFoundError,
  TaskStore,
} from '@yieldflow/store';
import { InvalidInputError } from '../common/errors';
import { CONFIG, COROUTINES } from '../common/tokens';
import type { CreateTaskDto } from './dto';
import { acceptDefinition } from './wait-limits';

/**
 * Turns a task body into a task to create: exactly one of coroutine / definition / definitionRef,
 * checked here (a definition is validated against the DSL schema and stored by content hash).
 */
@Injectable()
export class Submission {
  constructor(
    @Inject(COROUTINES) private readonly coroutines: CoroutineRegistry,
    private readonly store: TaskStore,
    private readonly definitions: DefinitionRegistry,
    @Inject(CONFIG) private readonly config: Config,
    private readonly limits: ConcurrencyLimits,
    private readonly catalog: CoroutineCatalog,
  ) {}

  /** The task to create, with the concurrency slot it takes when a limit applies to it (POST /v1/concurrency). */
  async toTask(namespace: string, body: CreateTaskDto, id: string, field = ''): Promise<NewTask> {
    const task = await this.describe(namespace, body, id, field);
    if (body.priority) task.priority = body.priority;
    const slot = await this.limits.slotFor(task, this.keyOf);
    return slot ? { ...task, slot } : task;
  }

  /** A code-first coroutine's concurrency key, by the function it was registered with. */
  readonly keyOf = (task: NewTask): Json => {
    const fn = task.kind === 'coroutine' ? this.coroutines.concurrencyKeyOf(task.name) : undefined;
    if (!fn) return null;
    try {
      return fn(task.input) ?? null;
    } catch (err) {
      throw new InvalidInputError(
        `the concurrency key of coroutine '${task.name}' could not be computed from this input: ${(err as Error).message}`,
      );
    }
  };

  private async describe(namespace: string, body: CreateTaskDto, id: string, field: string): Promise<NewTask> {
    const given = (['coroutine', 'definition', 'definitionRef'] as const).filter(
      (k) => body[k] !== undefined && body[k] !== null,
    );
    if (given.length !== 1) {
      throw new InvalidInputError(
        `${field}exactly one of coroutine, definition, definitionRef is required${given.length ? `, got ${given.join(' and ')}` : ''}`,
      );
    }
    const input = (body.input ?? null) as NewTask['input'];
    if (body.coroutine !== undefined) {
      if (!(await this.catalog.has(body.coroutine))) {
        throw new InvalidInputError(
          `${field}coroutine '${body.coroutine}' is not registered; registered: ${(await this.catalog.names()).join(', ')}`,
        );
      }
      // a new task runs the latest version to its end, whatever is registered later
      return {
        id,
        namespace,
        kind: 'coroutine',
        name: body.coroutine,
        version: this.coroutines.latestVersion(body.coroutine),
        input,
      };
    }
    if (body.definition !== undefined) {
      if (
        typeof body.definition !== 'string' &&
        (typeof body.definition !== 'object' || Array.isArray(body.definition))
      ) {
        throw new InvalidInputError(`${field}definition must be a workflow document (an object) or its YAML/JSON text`);
      }
      const { doc, text, hash } = acceptDefinition(body.definition, this.config.limits.maxSleepMs, field);
      await this.store.putDefinition(hash, text);
      return {
        id,
        namespace,
        kind: 'definition',
        name: `${doc.document.namespace}/${doc.document.name}@${doc.document.version}`,
        input,
        definitionHash: hash,
      };
    }
    const ref = body.definitionRef!;
    const found = await this.definitions.resolve(namespace, ref.namespace ?? 'default', ref.name, ref.version);
    if (!found)
      throw new NotFoundError(
        `workflow ${ref.namespace ?? 'default'}/${ref.name}${ref.version ? ` version ${ref.version}` : ''}`,
      );
    return {
      id,
      namespace,
      kind: 'definition',
      name: `${found.namespace}/${found.name}@${found.version}`,
      input,
      definitionHash: found.hash,
    };
  }
}
