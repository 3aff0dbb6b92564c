import type Redis from 'ioredis';
import { internalsOf } from './internal';
import type { Keys } from './keys';
import type { TaskStore } from './task-store';
import { scriptSource } from './scripts';
import { F } from './wire';

/** Fire records kept per schedule (the newest), and task ids in its index. */
export const FIRES_KEPT = 1000;

/** A schedule's stored fields (see ScheduleDoc for `doc`). */
export interface StoredSchedule {
  ns: string;
  sid: string;
  uid: string;
  doc: string;
  gen: number;
  paused: boolean;
  note?: string;
  last?: string;
  /** The failed task a resume acknowledged (pauseOnFailure does not pause for it again). */
  pf?: string;
  fired: number;
  records: number;
  createdAt: number;
  updatedAt: number;
  backfills: number;
}

type Scripted = Redis & {
  yf_sched_record(
    prefix: string,
    member: string,
    due: number,
    record: string,
    taskId: string,
    max: number,
  ): Promise<number>;
  yf_sched_gen(prefix: string, mode: string, gen: number, ...fields: (string | number)[]): Promise<number>;
};

const lua = (name: string) => scriptSource(`${name}-1`);

/**
 * Schedules in Redis: each one's hash, fire records and task index under its own hash tag, and each
 * namespace's list of schedules. The coroutine that runs a schedule is an ordinary task.
 */
export class ScheduleStore {
  private readonly r: Scripted;

  /** The schedules of a TaskStore's deployment, on its connection. */
  static of(store: TaskStore): ScheduleStore {
    const { redis, keys } = internalsOf(store);
    return new ScheduleStore(redis, keys);
  }

  constructor(
    redis: Redis,
    private readonly keys: Keys,
  ) {
    if (!('yf_sched_record' in redis)) {
      redis.defineCommand('yf_sched_record', { numberOfKeys: 1, lua: lua('schedule-record') });
      redis.defineCommand('yf_sched_gen', { numberOfKeys: 1, lua: lua('schedule-gen') });
    }
    this.r = redis as Scripted;
  }

  /** Store a new schedule; false when the id is taken in the namespace. */
  async create(
    ns: string,
    sid: string,
    uid: string,
    doc: string,
    paused: boolean,
    note: string | undefined,
    now = Date.now(),
  ): Promise<boolean> {
    const k = this.keys.schedule(ns, sid);
    const fields: (string | number)[] = [
      'ns',
      ns,
      'sid',
      sid,
      'uid',
      uid,
      'doc',
      doc,
      'gen',
      0,
      'fired',
      0,
      'ca',
      now,
      'ua',
      now,
    ];
    if (paused) fields.push('paused', 1);
    if (note) fields.push('note', note);
    const ok = await this.r.hsetnx(`${k}h`, 'uid', uid);
    if (!ok) return false;
    // a schedule deleted meanwhile leaves records behind it: they go with the new one
    await this.r
      .multi()
      .del(`${k}f`, `${k}t`, `${k}s`)
      .hset(`${k}h`, ...fields)
      .exec();
    await this.r.zadd(this.keys.schedules(ns), now, sid);
    return true;
  }

  async get(ns: string, sid: string): Promise<StoredSchedule | null> {
    const h = await this.r.hgetall(`${this.keys.schedule(ns, sid)}h`);
    if (!h.doc || h.ns !== ns) return null;
    return {
      ns,
      sid,
      uid: h.uid,
      doc: h.doc,
      gen: Number(h.gen),
      paused: h.paused === '1',
      note: h.note || undefined,
      last: h.last || undefined,
      pf: h.pf || undefined,
      fired: Number(h.fired ?? 0),
      records: Number(h.nf ?? 0),
      createdAt: Number(h.ca),
      updatedAt: Number(h.ua),
      backfills: Number(h.bf ?? 0),
    };
  }

  /** A page of a namespace's schedule ids, oldest first; the cursor is the last id's creation time and id. */
  async list(ns: string, limit: number, cursor?: string): Promise<{ ids: string[]; nextCursor?: string }> {
    const offset = cursor ? Number(cursor) : 0;
    const ids = await this.r.zrange(this.keys.schedules(ns), offset, offset + limit);
    return ids.length > limit ? { ids: ids.slice(0, limit), nextCursor: String(offset + limit) } : { ids };
  }

  async delete(ns: string, sid: string): Promise<void> {
    const k = this.keys.schedule(ns, sid);
    await this.r.multi().del(`${k}h`, `${k}f`, `${k}t`, `${k}s`).exec();
    await this.r.zrem(this.keys.schedules(ns), sid);
  }

  /** A change (spec, pause, resume): the schedule's next generation number, with the fields set. */
  async bump(ns: string, sid: string, fields: Record<string, string | number>): Promise<number> {
    const args = Object.entries({ ...fields, ua: Date.now() }).flatMap(([k, v]) => [k, v]);
    return this.r.yf_sched_gen(this.keys.schedule(ns, sid), 'bump', 0, ...args);
  }

  /** A generation continuing as a new one: the next number, or -1 when the schedule moved on without it. */
  continueFrom(ns: string, sid: string, gen: number): Promise<number> {
    return this.r.yf_sched_gen(this.keys.schedule(ns, sid), 'continue', gen);
  }

  /** Record a fire once (1), or not again (0), or -1 when the schedule is gone. */
  record(ns: string, sid: string, member: string, due: number, record: object, taskId = ''): Promise<number> {
    return this.r.yf_sched_record(this.keys.schedule(ns, sid), member, due, JSON.stringify(record), taskId, FIRES_KEPT);
  }

  async nextBackfill(ns: string, sid: string): Promise<number> {
    return this.r.hincrby(`${this.keys.schedule(ns, sid)}h`, 'bf', 1);
  }

  /** Fire records, newest first. */
  async fires(ns: string, sid: string, offset: number, limit: number): Promise<{ items: string[]; total: number }> {
    const k = `${this.keys.schedule(ns, sid)}f`;
    const [items, total] = await Promise.all([this.r.lrange(k, offset, offset + limit - 1), this.r.llen(k)]);
    return { items, total };
  }

  /** The schedule's tasks, newest fire first (the index `GET /v1/tasks?scheduleId=` reads). */
  async taskIds(ns: string, sid: string, offset: number, limit: number): Promise<string[]> {
    return this.r.zrevrange(`${this.keys.schedule(ns, sid)}t`, offset, offset + limit - 1);
  }

  /** The status of a task, or null when it does not exist. */
  async taskStatus(id: string): Promise<string | null> {
    return this.r.hget(this.keys.task(id), F.status);
  }
}
