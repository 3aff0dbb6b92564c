import { Cron } from 'croner';

/**
 * When a schedule fires: a cron expression (5 or 6 fields, in an IANA time zone, parsed by croner) or
 * `every` a duration (from the epoch, shifted by `offset`), between `startAt` and `endAt`, at most `limit`
 * times. All times are epoch ms.
 */
export interface ScheduleSpec {
  cron?: string;
  timezone?: string;
  everyMs?: number;
  offsetMs?: number;
  /** Start again this long after each run ends (the first run at once): fire times depend on the runs. */
  afterMs?: number;
  startAt?: number;
  endAt?: number;
  limit?: number;
  jitterMs?: number;
}

/** A field of a schedule that is not acceptable, named. */
export class ScheduleSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ScheduleSpecError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: ms as a number, '500ms', '1h30m', or ISO 8601 ('PT1M', 'P1D'). */
export function parseDuration(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v);
  if (typeof v === 'string') {
    const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(v);
    if (iso && v !== 'P' && v !== 'PT')
      return Math.round(
        ((+(iso[1] ?? 0) * 24 + +(iso[2] ?? 0)) * 60 + +(iso[3] ?? 0)) * 60_000 + +(iso[4] ?? 0) * 1000,
      );
    const parts = v.match(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g);
    if (parts && parts.join('') === v)
      return Math.round(parts.reduce((sum, p) => sum + parseFloat(p) * UNITS[/(ms|s|m|h|d)$/.exec(p)![1]], 0));
  }
  throw new ScheduleSpecError(
    field,
    `must be a duration (ms, '30s', '1h30m' or ISO 8601 'PT1M'), got ${JSON.stringify(v)}`,
  );
}

const crons = new Map<string, Cron>();

function cronOf(spec: ScheduleSpec): Cron {
  const key = `${spec.timezone ?? 'UTC'} ${spec.cron}`;
  let c = crons.get(key);
  if (!c) {
    c = new Cron(spec.cron!, {
      timezone: spec.timezone ?? 'UTC',
      paused: true,
      mode: spec.cron!.trim().split(/\s+/).length === 6 ? '6-part' : '5-part',
    });
    if (crons.size > 1000) crons.clear();
    crons.set(key, c);
  }
  return c;
}

/** Check a spec; throws a ScheduleSpecError naming the field. */
export function checkSpec(spec: ScheduleSpec): void {
  if ([spec.cron, spec.everyMs, spec.afterMs].filter((v) => v !== undefined).length !== 1)
    throw new ScheduleSpecError('spec', 'exactly one of cron, every, after is required');
  if (spec.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: spec.timezone });
    } catch {
      throw new ScheduleSpecError('timezone', `'${spec.timezone}' is not an IANA time zone`);
    }
    if (spec.cron === undefined) throw new ScheduleSpecError('timezone', 'applies to cron only');
  }
  if (spec.cron !== undefined) {
    const n = spec.cron.trim().split(/\s+/).length;
    if (n !== 5 && n !== 6) throw new ScheduleSpecError('cron', `must have 5 or 6 fields, got ${n}`);
    try {
      cronOf(spec);
    } catch (err) {
      throw new ScheduleSpecError('cron', (err as Error).message);
    }
  }
  if (spec.everyMs !== undefined && spec.everyMs < 1) throw new ScheduleSpecError('every', 'must be at least 1 ms');
  if (spec.offsetMs !== undefined && spec.everyMs === undefined)
    throw new ScheduleSpecError('offset', 'applies to every only');
  if (spec.startAt !== undefined && spec.endAt !== undefined && spec.endAt <= spec.startAt)
    throw new ScheduleSpecError('endAt', 'must be after startAt');
  if (spec.limit !== undefined && (!Number.isInteger(spec.limit) || spec.limit < 1))
    throw new ScheduleSpecError('limit', 'must be a positive integer');
}

/** UTC offset of a zone at an instant, ms. */
function offsetAt(t: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
    .formatToParts(new Date(t))
    .reduce<Record<string, number>>((o, p) => (p.type === 'literal' ? o : { ...o, [p.type]: +p.value }), {});
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * Is `t` the second occurrence of its local time (the hour a zone repeats when it falls back)? Then the
 * same wall time already came `shift` earlier, and the schedule fired at it.
 */
function repeatsLocalTime(t: number, tz: string): boolean {
  const shift = offsetAt(t - 3 * 3_600_000, tz) - offsetAt(t, tz);
  return shift > 0 && offsetAt(t - shift, tz) - offsetAt(t, tz) === shift;
}

/**
 * The first fire strictly after `after` (epoch ms), or null when there is none (past endAt). `limit` is the
 * caller's to count. Daylight saving: croner moves a local time that does not exist to the next valid
 * instant (02:30 on the spring-forward day runs at 03:00); a local time that occurs twice runs at its
 * first occurrence only.
 */
export function nextFire(spec: ScheduleSpec, after: number): number | null {
  const from = Math.max(after, (spec.startAt ?? -Infinity) - 1);
  let t: number | null;
  if (spec.afterMs !== undefined) {
    t = null; // known only when the previous run ends
  } else if (spec.everyMs !== undefined) {
    const off = spec.offsetMs ?? 0;
    t = Math.floor((from - off) / spec.everyMs) * spec.everyMs + off + spec.everyMs;
  } else {
    const c = cronOf(spec);
    let cursor = from;
    t = null;
    for (let i = 0; i < 10; i++) {
      const d = c.nextRun(new Date(cursor));
      if (!d) break;
      if (!repeatsLocalTime(d.getTime(), spec.timezone ?? 'UTC')) {
        t = d.getTime();
        break;
      }
      cursor = d.getTime();
    }
  }
  if (t === null || (spec.endAt !== undefined && t > spec.endAt)) return null;
  return t;
}

/** The next `count` fires after `after`. */
export function nextFires(spec: ScheduleSpec, after: number, count: number): number[] {
  const out: number[] = [];
  let t: number | null = after;
  while (out.length < count && (t = nextFire(spec, t)) !== null) out.push(t);
  return out;
}

/** The delay added to a fire: the same for a given schedule and fire time, so a replay sleeps the same. */
export function jitterOf(scheduleId: string, due: number, jitterMs: number | undefined): number {
  if (!jitterMs) return 0;
  let h = 0x811c9dc5;
  const s = `${scheduleId}:${due}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) % jitterMs;
}
