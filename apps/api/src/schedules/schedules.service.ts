import { Inject, Injectable } from '@nestjs/common';
import type { CoroutineRegistry, Json } from '@yieldflow/runtime';
import {
  type Config,
  type FirePage,
  type FireRecord,
  generationTaskId,
  type GenerationInput,
  nextFires,
  SCHEDULE_COROUTINE,
  type ScheduleDoc,
  type SchedulePage,
  type ScheduleView,
  type TaskPage,
} from '@yieldflow/contracts';
import {
  ConflictError,
  contentHash,
  DefinitionRegistry,
  newId,
  NotFoundError,
  ScheduleStore,
  type ListQuery,
  type StoredSchedule,
  TaskReader,
  TaskStore,
} from '@yieldflow/store';
import { InvalidInputError } from '../common/errors';
import { CONFIG, COROUTINES } from '../common/tokens';
import type { BackfillDto, CreateScheduleDto, ScheduleFieldsDto } from './dto';
import { toScheduleDoc } from './schedule-doc';

const BACKFILL_MAX_FIRES = 10_000;

/**
 * Schedules: each is a stored record plus one running generation of the schedule coroutine (a task).
 * Every change (PATCH, pause, resume) moves the schedule to a new generation: the old coroutine is
 * cancelled and, unless paused, a new one starts from now with the new spec.
 */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly schedules: ScheduleStore,
    private readonly store: TaskStore,
    private readonly reader: TaskReader,
    private readonly definitions: DefinitionRegistry,
    @Inject(COROUTINES) private readonly coroutines: CoroutineRegistry,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(ns: string, body: CreateScheduleDto, source?: string): Promise<ScheduleView> {
    const doc = await this.doc(ns, body, source);
    const sid = body.id ?? newId().replace(/[^A-Za-z0-9_-]/g, '_');
    const uid = newId().replace(/[^A-Za-z0-9]/g, 'x');
    if (!(await this.schedules.create(ns, sid, uid, JSON.stringify(doc), body.paused ?? false, body.note)))
      throw new ConflictError(`schedule ${sid} already exists`);
    if (!body.paused) await this.startGeneration(ns, sid, uid, 0, doc, Date.now());
    return this.get(ns, sid);
  }

  async get(ns: string, sid: string): Promise<ScheduleView> {
    return this.view(await this.find(ns, sid));
  }

  async list(ns: string, limit = 50, cursor?: string): Promise<SchedulePage> {
    const page = await this.schedules.list(ns, limit, cursor);
    const found = await Promise.all(page.ids.map((id) => this.schedules.get(ns, id)));
    const items = await Promise.all(found.filter((s): s is StoredSchedule => s !== null).map((s) => this.view(s)));
    return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
  }

  /** Change what and when it fires: the fields given replace the stored ones (null removes one). */
  async exists(ns: string, sid: string): Promise<boolean> {
    return (await this.schedules.get(ns, sid)) !== null;
  }

  async update(
    ns: string,
    sid: string,
    body: ScheduleFieldsDto & Record<string, unknown>,
    source?: string,
  ): Promise<ScheduleView> {
    const s = await this.find(ns, sid);
    const old = JSON.parse(s.doc) as ScheduleDoc;
    const merged: Record<string, unknown> = { ...(old.given as Record<string, unknown>) };
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined) continue;
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    // a new action replaces the old one
    if (['coroutine', 'definition', 'definitionRef'].some((k) => body[k] !== undefined && body[k] !== null)) {
      for (const k of ['coroutine', 'definition', 'definitionRef']) if (body[k] === undefined) delete merged[k];
    }
    // a new kind of spec replaces the old one
    const kinds = ['cron', 'every', 'after'];
    const given = kinds.find((k) => body[k] !== undefined && body[k] !== null);
    if (given) for (const k of kinds) if (k !== given && body[k] === undefined) delete merged[k];
    if (given && given !== 'cron' && body.timezone === undefined) delete merged.timezone;
    const doc = await this.doc(ns, merged as ScheduleFieldsDto, source ?? old.source);
    await this.next(s, { doc: JSON.stringify(doc) }, !s.paused);
    return this.get(ns, sid);
  }

  async pause(ns: string, sid: string, note?: string): Promise<ScheduleView> {
    const s = await this.find(ns, sid);
    await this.next(s, { paused: 1, note: note ?? '' }, false);
    return this.get(ns, sid);
  }

  async resume(ns: string, sid: string): Promise<ScheduleView> {
    const s = await this.find(ns, sid);
    // a failure that paused it is acknowledged: pauseOnFailure does not pause for it again
    await this.next(s, { paused: '', note: '', pf: s.last ?? '' }, true);
    return this.get(ns, sid);
  }

  async delete(ns: string, sid: string): Promise<void> {
    const s = await this.find(ns, sid);
    await this.schedules.delete(ns, sid);
    await this.store.cancel(ns, generationTaskId(s.uid, s.gen)).catch(() => undefined);
  }

  /** Start the schedule's task now, whatever its overlap policy; recorded as a manual fire. */
  async trigger(ns: string, sid: string): Promise<{ taskId: string }> {
    const s = await this.find(ns, sid);
    const doc = JSON.parse(s.doc) as ScheduleDoc;
    const now = Date.now();
    const id = `sch-${s.uid}-m${now}`;
    await this.createAction(ns, id, doc, sid);
    const at = new Date(now).toISOString();
    await this.schedules.record(
      ns,
      sid,
      `t:${id}`,
      now,
      { dueAt: at, at, lateMs: 0, taskId: id, result: 'started', trigger: 'manual' },
      id,
    );
    return { taskId: id };
  }

  /** Run the fires of a past range, (from, to], with an overlap policy: a task that runs them and ends. */
  async backfill(ns: string, sid: string, body: BackfillDto): Promise<{ taskId: string; fires: number }> {
    const s = await this.find(ns, sid);
    const doc = JSON.parse(s.doc) as ScheduleDoc;
    const from = Date.parse(body.from);
    const to = Date.parse(body.to);
    if (!Number.isFinite(from)) throw new InvalidInputError(`from must be an ISO 8601 time, got '${body.from}'`);
    if (!Number.isFinite(to)) throw new InvalidInputError(`to must be an ISO 8601 time, got '${body.to}'`);
    if (to <= from) throw new InvalidInputError('to must be after from');
    if (to > Date.now()) throw new InvalidInputError('to must not be in the future: backfill runs past fires');
    const fires = nextFires({ ...doc.spec, limit: undefined, endAt: to }, from, BACKFILL_MAX_FIRES + 1).length;
    if (fires > BACKFILL_MAX_FIRES)
      throw new InvalidInputError(`the range holds more than ${BACKFILL_MAX_FIRES} fires; backfill a shorter one`);
    const n = await this.schedules.nextBackfill(ns, sid);
    const input: GenerationInput = {
      ns,
      sid,
      uid: s.uid,
      gen: s.gen,
      after: from,
      count: 0,
      queue: [],
      doc: { ...doc, spec: { ...doc.spec, limit: undefined }, overlap: body.overlap ?? doc.overlap },
      backfillTo: to,
    };
    const id = `sch-${s.uid}-bf${n}`;
    await this.store.create([
      {
        id,
        namespace: ns,
        kind: 'coroutine',
        name: SCHEDULE_COROUTINE,
        input: input as unknown as Json,
        scheduleId: sid,
      },
    ]);
    return { taskId: id, fires };
  }

  async preview(ns: string, sid: string, count: number): Promise<{ fires: string[] }> {
    const s = await this.find(ns, sid);
    const doc = JSON.parse(s.doc) as ScheduleDoc;
    const left = doc.spec.limit === undefined ? count : Math.max(0, Math.min(count, doc.spec.limit - s.fired));
    return { fires: nextFires(doc.spec, Date.now(), left).map(iso) };
  }

  /** The fire records, newest first, with each started task's status now. */
  async fires(ns: string, sid: string, offset = 0, limit = 100): Promise<FirePage> {
    await this.find(ns, sid);
    const { items, total } = await this.schedules.fires(ns, sid, offset, limit);
    const records = items.map((text) => JSON.parse(text) as FireRecord);
    const statuses = await Promise.all(
      records.map((r) => (r.taskId ? this.schedules.taskStatus(r.taskId) : Promise.resolve(null))),
    );
    records.forEach((r, i) => {
      if (statuses[i]) r.status = statuses[i]!;
    });
    const page: FirePage = { items: records, offset, total };
    if (offset + records.length < total) page.nextOffset = offset + records.length;
    return page;
  }

  /** `GET /v1/tasks?scheduleId=`: the schedule's tasks, newest fire first, from its own index. */
  /** A schedule's tasks, newest fire first, from its own index; the other filters of `q` are checked on each. */
  async tasks(ns: string, sid: string, q: ListQuery): Promise<TaskPage> {
    const s = await this.schedules.get(ns, sid);
    if (!s) return { items: [] };
    if (q.cursor !== undefined && !/^\d{1,9}$/.test(q.cursor))
      throw new InvalidInputError(
        "cursor is not one of this schedule's pages: use the nextCursor of the previous page",
      );
    return this.reader.listOf(ns, (offset, count) => this.schedules.taskIds(ns, sid, offset, count), q);
  }

  private async find(ns: string, sid: string): Promise<StoredSchedule> {
    const s = /^[A-Za-z0-9_-]{1,64}$/.test(sid) ? await this.schedules.get(ns, sid) : null;
    if (!s) throw new NotFoundError(`schedule ${sid}`);
    return s;
  }

  private async doc(ns: string, body: ScheduleFieldsDto, source?: string): Promise<ScheduleDoc> {
    const doc = toScheduleDoc(
      body,
      this.coroutines,
      this.config.limits.maxSleepMs,
      source,
      this.config.limits.scheduleEveryMs,
    );
    if ('definitionRef' in doc.action) {
      const ref = doc.action.definitionRef;
      if (!(await this.definitions.resolve(ns, ref.namespace ?? 'default', ref.name, ref.version))) {
        throw new NotFoundError(
          `workflow ${ref.namespace ?? 'default'}/${ref.name}${ref.version ? ` version ${ref.version}` : ''}`,
        );
      }
    }
    return doc;
  }

  /** Move to the next generation with `fields` set: the running coroutine is cancelled, a new one started when `run`. */
  private async next(s: StoredSchedule, fields: Record<string, string | number>, run: boolean): Promise<void> {
    const gen = await this.schedules.bump(s.ns, s.sid, fields);
    if (gen < 0) throw new NotFoundError(`schedule ${s.sid}`);
    await this.cancelGenerations(s.ns, s.uid, s.gen, gen);
    if (!run) return;
    const fresh = await this.schedules.get(s.ns, s.sid);
    if (fresh) await this.startGeneration(s.ns, s.sid, s.uid, gen, JSON.parse(fresh.doc) as ScheduleDoc, Date.now());
  }

  /** The generations before `gen` (a continue-as-new may have just started gen - 1) end. */
  private async cancelGenerations(ns: string, uid: string, from: number, gen: number): Promise<void> {
    for (let g = from; g < gen; g++) await this.store.cancel(ns, generationTaskId(uid, g)).catch(() => undefined);
  }

  private async startGeneration(
    ns: string,
    sid: string,
    uid: string,
    gen: number,
    doc: ScheduleDoc,
    now: number,
  ): Promise<void> {
    const input: GenerationInput = {
      ns,
      sid,
      uid,
      gen,
      after: now,
      count: (await this.schedules.get(ns, sid))?.fired ?? 0,
      queue: [],
      doc,
      steps: this.config.budgets.scheduleSteps,
    };
    await this.store.create([
      {
        id: generationTaskId(uid, gen),
        namespace: ns,
        kind: 'coroutine',
        name: SCHEDULE_COROUTINE,
        input: input as unknown as Json,
        scheduleId: sid,
      },
    ]);
  }

  private async createAction(ns: string, id: string, doc: ScheduleDoc, sid: string): Promise<void> {
    const a = doc.action;
    const input = a.input ?? null;
    if ('coroutine' in a) {
      await this.store.create([
        {
          id,
          namespace: ns,
          kind: 'coroutine',
          name: a.coroutine,
          version: this.coroutines.latestVersion(a.coroutine),
          input,
          scheduleId: sid,
        },
      ]);
      return;
    }
    if ('definition' in a) {
      const text = JSON.stringify(a.definition);
      const hash = contentHash(text);
      await this.store.putDefinition(hash, text);
      const d = (a.definition as { document: { namespace: string; name: string; version: string } }).document;
      await this.store.create([
        {
          id,
          namespace: ns,
          kind: 'definition',
          name: `${d.namespace}/${d.name}@${d.version}`,
          input,
          definitionHash: hash,
          scheduleId: sid,
        },
      ]);
      return;
    }
    const ref = a.definitionRef;
    const found = await this.definitions.resolve(ns, ref.namespace ?? 'default', ref.name, ref.version);
    if (!found) throw new NotFoundError(`workflow ${ref.namespace ?? 'default'}/${ref.name}`);
    await this.store.create([
      {
        id,
        namespace: ns,
        kind: 'definition',
        name: `${found.namespace}/${found.name}@${found.version}`,
        input,
        definitionHash: found.hash,
        scheduleId: sid,
      },
    ]);
  }

  private async view(s: StoredSchedule): Promise<ScheduleView> {
    const doc = JSON.parse(s.doc) as ScheduleDoc;
    let state: ScheduleView['state'] = s.paused ? 'paused' : 'active';
    if (!s.paused) {
      const st = await this.schedules.taskStatus(generationTaskId(s.uid, s.gen));
      if (st === 'completed' || st === 'faulted' || st === 'cancelled') state = 'ended';
    }
    const left = doc.spec.limit === undefined ? 5 : Math.max(0, Math.min(5, doc.spec.limit - s.fired));
    const view: ScheduleView = {
      id: s.sid,
      namespace: s.ns,
      spec: doc.given,
      action: doc.action as unknown as Json,
      overlap: doc.overlap,
      catchupWindowMs: doc.catchupMs,
      pauseOnFailure: doc.pauseOnFailure,
      state,
      fires: s.fired,
      next: state === 'active' ? nextFires(doc.spec, Date.now(), left).map(iso) : [],
      generation: s.gen,
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    };
    if (s.note) view.note = s.note;
    if (s.last) view.lastTaskId = s.last;
    if (doc.source) view.source = doc.source;
    return view;
  }
}

const iso = (t: number) => new Date(t).toISOString();
