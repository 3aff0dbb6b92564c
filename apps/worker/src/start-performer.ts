import { type ChildSpec, ERROR_TYPES, type Json, type JournalEntry, type StartEffect } from '@yieldflow/runtime';
import { type FireAnswer, nextFire, type ScheduleDoc } from '@yieldflow/contracts';
import {
  contentHash,
  type DefinitionRegistry,
  type NewTask,
  type ScheduleStore,
  type StoredSchedule,
  type TaskStore,
} from '@yieldflow/store';
import { type ClaimedTask, F } from '@yieldflow/store';

const ENDED = new Set(['completed', 'faulted', 'cancelled']);
/** Fire-lateness histogram buckets, ms (Prometheus `le`): the same as resume lateness. */
export const FIRE_LATENESS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** What a schedule's coroutine sends with a `start` (see scheduleCoroutine). */
interface FireInfo {
  op: 'fire' | 'skip' | 'continue' | 'await';
  sid: string;
  gen: number;
  due: number;
  at: number;
  overlap: string;
  catchupMs: number;
  pauseOnFailure: boolean;
  trigger: string;
  reason?: string;
  awaiting?: string;
}

type Entry = Pick<JournalEntry, 'r' | 'e'>;

/**
 * Performs `start`: creates a task that is not a child, under the id the coroutine derived, so a repeat
 * creates nothing. For a schedule's fire it first checks that the generation is still the schedule's,
 * applies the catch-up window and the overlap policy against the schedule's last task, records the fire
 * once, and counts its lateness. Always in the namespace of the task that yields it.
 */
export class StartPerformer {
  constructor(
    private readonly store: TaskStore,
    private readonly schedules: ScheduleStore,
    /** Which coroutines a child or started task may run: this deployment's catalog (any worker group's). */
    private readonly registry: {
      has(name: string): boolean | Promise<boolean>;
      latestVersion?(name: string): number | undefined;
    },
    private readonly definitions: DefinitionRegistry,
  ) {}

  async perform(task: ClaimedTask, effect: StartEffect): Promise<Entry> {
    const ns = task.namespace;
    const info = effect.schedule as unknown as FireInfo | undefined;
    if (!info) return this.create(ns, effect.id, effect.task);
    // only the schedule's own coroutines (generations and backfills, ids under its uid) act for it
    const s = await this.schedules.get(ns, info.sid);
    if (!s || !task.id.startsWith(`sch-${s.uid}-`)) return answer({ stale: true });
    if (info.op === 'continue') {
      if ((await this.schedules.continueFrom(ns, info.sid, info.gen)) < 0) return answer({ stale: true });
      const made = await this.create(ns, effect.id, effect.task, info.sid);
      return made.e ? made : answer({ started: true, id: effect.id });
    }
    return this.fire(ns, effect, info, s);
  }

  private async fire(ns: string, effect: StartEffect, info: FireInfo, s: StoredSchedule): Promise<Entry> {
    if (info.gen >= 0 && (s.gen !== info.gen || s.paused)) return answer({ stale: true });
    const now = Date.now();
    if (info.op === 'await') {
      // an `after` schedule waits for its run's end
      const [st, fa] = await this.store.redis.hmget(this.store.keys.task(info.awaiting ?? ''), F.status, F.finishedAt);
      return st && !ENDED.has(st) ? answer({ busy: true }) : answer({ endedAt: fa ? Number(fa) : now });
    }
    const base = { dueAt: iso(info.due), at: iso(now), lateMs: Math.max(0, now - info.at), trigger: info.trigger };
    const skip = async (reason: string, extra: Record<string, Json> = {}) => {
      await this.schedules.record(ns, info.sid, `k:${info.due}:${reason}`, info.due, {
        ...base,
        result: 'skipped',
        reason,
        ...extra,
      });
    };
    // a repeat of a fire that started its task (a crash before the answer was stored) answers the same
    if ((await this.schedules.taskStatus(effect.id)) !== null) return this.started(ns, effect.id, info, base);
    if (info.op === 'skip') {
      await skip(info.reason ?? 'skipped');
      return answer({ skipped: true });
    }
    if (info.catchupMs >= 0 && now - info.at > info.catchupMs) {
      const doc = JSON.parse(s.doc) as ScheduleDoc;
      let n = 0;
      for (
        let t: number | null = info.due;
        t !== null && t <= now - info.catchupMs && n < 100_000;
        t = nextFire(doc.spec, t)
      )
        n++;
      await skip('missed', { count: n });
      return answer({ missed: true, now });
    }
    if (s.last && s.last !== effect.id && info.overlap !== 'allowAll') {
      const st = await this.schedules.taskStatus(s.last);
      if (st === 'faulted' && info.pauseOnFailure && info.gen >= 0 && s.pf !== s.last) {
        await this.schedules.bump(ns, info.sid, {
          paused: 1,
          note: `paused on failure: task ${s.last} faulted`,
          pf: s.last,
        });
        await skip('paused');
        return answer({ paused: true });
      }
      if (st !== null && !ENDED.has(st)) {
        if (info.overlap === 'skip') {
          await skip('overlap', { running: s.last });
          return answer({ skipped: true });
        }
        if (info.overlap === 'bufferOne' || info.overlap === 'bufferAll') return answer({ busy: true });
        if (info.overlap === 'cancelOther') await this.store.cancel(null, s.last).catch(() => undefined);
      }
    }
    const made = await this.create(ns, effect.id, effect.task, info.sid);
    if (made.e) {
      await skip('refused', { error: made.e as unknown as Json });
      return answer({ skipped: true });
    }
    if (info.trigger === 'schedule') await this.countLateness(now - info.at);
    return this.started(ns, effect.id, info, base);
  }

  private async started(ns: string, id: string, info: FireInfo, base: Record<string, Json>): Promise<Entry> {
    await this.schedules.record(ns, info.sid, `t:${id}`, info.due, { ...base, taskId: id, result: 'started' }, id);
    return answer({ started: true, id });
  }

  private async countLateness(lateMs: number): Promise<void> {
    const late = Math.max(0, lateMs);
    const i = FIRE_LATENESS_BUCKETS.findIndex((b) => late <= b);
    const key = this.store.keys.stats;
    await this.store.redis
      .pipeline()
      .hincrby(key, 'fire_count', 1)
      .hincrbyfloat(key, 'fire_sum', late)
      .hincrby(key, `fire_${i < 0 ? 'inf' : FIRE_LATENESS_BUCKETS[i]}`, 1)
      .exec();
  }

  /** Create the task (like a spawn's child, but without a parent); an error answer when it cannot be. */
  private async create(ns: string, id: string, spec: ChildSpec, scheduleId?: string): Promise<Entry> {
    const base = { id, namespace: ns, input: spec.input ?? null, ...(scheduleId ? { scheduleId } : {}) };
    let task: NewTask;
    if ('coroutine' in spec) {
      if (!(await this.registry.has(spec.coroutine)))
        return { e: notFound(`coroutine '${spec.coroutine}' is not registered`) };
      task = {
        ...base,
        kind: 'coroutine',
        name: spec.coroutine,
        version: this.registry.latestVersion?.(spec.coroutine),
      };
    } else if ('definition' in spec) {
      const text = JSON.stringify(spec.definition);
      const hash = contentHash(text);
      await this.store.putDefinition(hash, text);
      const doc = spec.definition as { document?: { namespace?: string; name?: string; version?: string } };
      task = {
        ...base,
        kind: 'definition',
        name: `${doc.document?.namespace}/${doc.document?.name}@${doc.document?.version}`,
        definitionHash: hash,
      };
    } else {
      const ref = spec.definitionRef;
      const found = await this.definitions.resolve(ns, ref.namespace ?? 'default', ref.name, ref.version);
      if (!found)
        return {
          e: notFound(
            `workflow ${ref.namespace ?? 'default'}/${ref.name}${ref.version ? `@${ref.version}` : ''} is not registered`,
          ),
        };
      task = {
        ...base,
        kind: 'definition',
        name: `${found.namespace}/${found.name}@${found.version}`,
        definitionHash: found.hash,
      };
    }
    await this.store.create([task]);
    return { r: { id } };
  }
}

const answer = (a: FireAnswer): Entry => ({ r: a as unknown as Json });
const iso = (t: number) => new Date(t).toISOString();
const notFound = (detail: string) => ({ type: ERROR_TYPES.configuration, status: 404, title: 'Not found', detail });
