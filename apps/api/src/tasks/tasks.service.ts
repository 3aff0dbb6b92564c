import { Inject, Injectable } from '@nestjs/common';
import type { Config, EntryPage, SendAnswer, SuspensionView, TaskPage, TaskView } from '@yieldflow/contracts';
import type { Json } from '@yieldflow/runtime';
import {
  ConcurrencyLimits,
  ConflictError,
  idForKey,
  isTaskId,
  type ListQuery,
  newId,
  NotFoundError,
  parseIsoTime,
  TaskReader,
  TaskStore,
  type TaskValueName,
} from '@yieldflow/store';
import { IdempotencyMismatchError, InvalidInputError } from '../common/errors';
import { CONFIG } from '../common/tokens';
import type { CreateTaskDto, EntryPageQuery, ListTasksQuery, RerunDto } from './dto';
import { bulk, type BulkAnswer, type BulkDto } from './bulk';
import { NotifyHub } from './notify-hub';
import { requestHash } from './request-hash';
import { Submission } from './submission';
import { SchedulesService } from '../schedules/schedules.service';

export type { SendAnswer } from '@yieldflow/contracts';

const WAITING: Record<string, string> = {
  sleep: 'sleeping',
  sleepUntil: 'sleeping',
  waitForEvent: 'waiting for an event',
  http: 'waiting for an HTTP call',
  emit: 'publishing an event',
  spawn: 'waiting for its child tasks',
};

const entryIndex = (field: string, raw: string): number => {
  if (!/^\d{1,9}$/.test(raw)) throw new InvalidInputError(`${field} must be a non-negative integer`);
  return Number(raw);
};

@Injectable()
export class TasksService {
  constructor(
    private readonly store: TaskStore,
    private readonly reader: TaskReader,
    private readonly submission: Submission,
    private readonly notify: NotifyHub,
    @Inject(CONFIG) private readonly config: Config,
    private readonly schedules: SchedulesService,
    private readonly limits: ConcurrencyLimits,
  ) {}

  /**
   * Create a task; with an idempotency key, a repeat of the same request returns the task the first call
   * created, and a repeat with another body is refused (the hash of the first request is kept with the task).
   */
  async create(
    namespace: string,
    body: CreateTaskDto,
    idempotencyKey?: string,
  ): Promise<{ task: TaskView; created: boolean }> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new InvalidInputError('Idempotency-Key must be 1-255 visible ASCII characters');
    }
    const id = idempotencyKey ? idForKey(namespace, idempotencyKey) : newId();
    const task = await this.submission.toTask(namespace, body, id);
    const hash = idempotencyKey ? requestHash(body) : undefined;
    // the answer's view is read in the create's round trip
    const { created, view } = await this.reader.createAndView(namespace, {
      ...task,
      fresh: !idempotencyKey,
      requestHash: hash,
    });
    if (!created && hash) {
      // tasks created before request hashes were kept have none: they answer as before
      const stored = await this.reader.requestHash(namespace, id);
      if (stored && stored !== hash)
        throw new IdempotencyMismatchError(
          `Idempotency-Key '${idempotencyKey}' was used for another body; send a new key for a new task`,
        );
    }
    if (!view) throw new NotFoundError(`task ${id}`);
    return { task: view, created };
  }

  get(namespace: string, id: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.get(namespace, id);
  }

  suspensions(namespace: string, id: string, q: EntryPageQuery): Promise<EntryPage<SuspensionView>> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.suspensions(namespace, id, q);
  }

  suspension(namespace: string, id: string, step: string): Promise<SuspensionView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.suspension(namespace, id, entryIndex('step', step));
  }

  trace(namespace: string, id: string, q: EntryPageQuery): Promise<EntryPage<Json>> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.trace(namespace, id, q);
  }

  traceEntry(namespace: string, id: string, index: string): Promise<Json> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.traceEntry(namespace, id, entryIndex('index', index));
  }

  value(namespace: string, id: string, name: TaskValueName): Promise<Json> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    return this.reader.value(namespace, id, name);
  }

  /** A page of tasks; every filter given must match (task-list.ts picks the index to read). */
  list(namespace: string, q: ListTasksQuery): Promise<TaskPage> {
    const time = (field: 'createdAfter' | 'createdBefore'): number | undefined => {
      const raw = q[field];
      if (raw === undefined) return undefined;
      const ms = parseIsoTime(raw);
      if (ms === null)
        throw new InvalidInputError(`${field} must be an ISO 8601 time, e.g. 2026-12-01T09:30:00Z or 2026-12-01`);
      return ms;
    };
    const query: ListQuery = {
      status: q.status,
      coroutine: q.coroutine,
      definition: q.definition,
      batchId: q.batchId,
      createdAfter: time('createdAfter'),
      createdBefore: time('createdBefore'),
      idPrefix: q.idPrefix,
      limit: q.limit ?? 50,
      cursor: q.cursor,
    };
    if (q.scheduleId) return this.schedules.tasks(namespace, q.scheduleId, query);
    return this.reader.list(namespace, query);
  }

  /** Remove a finished task at once, with its journal, trace and index entries (see Retention). */
  async remove(namespace: string, id: string): Promise<void> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.remove(namespace, id);
  }

  /**
   * The seed's send(): deliver a value to a task suspended in receive (or keep it for the receive a
   * queued or running task reaches next), then answer with what it yields next, once it has.
   */
  async send(namespace: string, id: string, value: unknown): Promise<SendAnswer> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    const wait = this.notify.expect(id, this.config.limits.sendWaitMs);
    let res;
    try {
      res = await this.store.send(namespace, id, (value ?? null) as never);
    } catch (err) {
      wait.cancel();
      throw err;
    }
    if (!res.accepted) {
      wait.cancel();
      const doing = res.status === 'suspended' ? (WAITING[res.waitKind] ?? `suspended in ${res.waitKind}`) : res.status;
      throw new ConflictError(`task ${id} is not waiting for a value: it is ${doing}`);
    }
    wait.setTicket(res.ticket);
    const { status: st, received } = await this.store.received(id);
    if ((st === 'suspended' && received >= res.ticket) || st === 'completed' || st === 'faulted' || st === 'cancelled')
      wait.cancel();
    else if ((await wait.done) === null) {
      const t = await this.reader.get(namespace, id, { journal: false });
      return { yielded: t.yielded ?? null, status: t.status, pending: true };
    }
    const t = await this.reader.get(namespace, id, { journal: false });
    const answer: SendAnswer = { yielded: t.status === 'suspended' ? (t.yielded ?? null) : null, status: t.status };
    if (t.output !== undefined) answer.output = t.output;
    if (t.error !== undefined) answer.error = t.error;
    return answer;
  }

  async cancel(namespace: string, id: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.cancel(namespace, id);
    return this.reader.get(namespace, id, { journal: false });
  }

  bulk(namespace: string, body: BulkDto): Promise<BulkAnswer> {
    return bulk(this.store, this.reader, namespace, body);
  }

  /** End a task at once as cancelled with `terminated: true`, without closing its coroutine. */
  async terminate(namespace: string, id: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.cancel(namespace, id, Date.now(), true);
    return this.reader.get(namespace, id, { journal: false });
  }

  /** Retry a faulted task from the step that failed, its journal before it replayed. */
  async retry(namespace: string, id: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.retry(namespace, id);
    return this.reader.get(namespace, id, { journal: false });
  }

  /** Rerun a task as a new one linked to it, from a step (or a DSL task) with new input; answers the new task. */
  async rerun(namespace: string, id: string, body: RerunDto): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    if (body.fromStep !== undefined && body.fromTask !== undefined)
      throw new InvalidInputError('give fromStep or fromTask, not both');
    const created = await this.store.rerun(
      namespace,
      id,
      {
        fromStep: body.fromStep,
        fromTask: body.fromTask,
        input: body.input as Json | undefined,
        slotFor: (t) => this.limits.slotFor(t, this.submission.keyOf),
      },
      newId(),
    );
    return this.reader.get(namespace, created, { journal: false });
  }

  async pause(namespace: string, id: string, note?: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.pause(namespace, id, note ?? '');
    return this.reader.get(namespace, id, { journal: false });
  }

  async resume(namespace: string, id: string): Promise<TaskView> {
    if (!isTaskId(id)) throw new NotFoundError(`task ${id}`);
    await this.store.resume(namespace, id);
    return this.reader.get(namespace, id, { journal: false });
  }
}
