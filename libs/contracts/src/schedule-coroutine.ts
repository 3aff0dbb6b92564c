import {
  type Coroutine,
  type CoroutineRegistry,
  type Effect,
  type Json,
  sleepUntil,
  start,
  type StartEffect,
} from '@yieldflow/runtime';
import { type FireAnswer, type GenerationInput, SCHEDULE_COROUTINE } from './schedule';
import { jitterOf, nextFire } from './schedule-spec';

/** Journal entries a generation takes before it continues as a new one (about half as many fires). */
export const STEPS_PER_GENERATION = 1000;
/** How often a buffered fire looks again whether the previous run has ended. */
export const BUFFER_POLL_MS = 250;
const BUFFER_ALL_MAX = 1000;

export const fireTaskId = (uid: string, due: number): string => `sch-${uid}-${due}`;
export const generationTaskId = (uid: string, gen: number): string => `sch-${uid}-g${gen}`;

/**
 * A schedule as a durable coroutine: sleep until the next fire, start its task (the worker applies the
 * overlap policy, the catch-up window and the generation check, and answers what it did), repeat. Every
 * decision depends only on the input and the journaled answers, so a replay takes the same path. After
 * STEPS_PER_GENERATION steps it starts its next generation (continue-as-new) and ends, so no generation's
 * journal grows with the schedule's age.
 */
export const scheduleCoroutine: Coroutine = function* (raw, ctx) {
  const g = raw as unknown as GenerationInput;
  const { doc } = g;
  const backfill = g.backfillTo !== undefined;
  const max = doc.overlap === 'bufferAll' ? BUFFER_ALL_MAX : 1;
  const queue = [...g.queue];
  let cursor = g.after;
  let count = g.count;
  let steps = 0;
  const fire = (due: number, op = 'fire', extra: Record<string, Json> = {}) =>
    start(fireTaskId(g.uid, due), doc.action, {
      op,
      ns: g.ns,
      sid: g.sid,
      gen: backfill ? -1 : g.gen,
      due,
      at: due + jitterOf(g.uid, due, doc.spec.jitterMs),
      overlap: doc.overlap,
      catchupMs: backfill ? -1 : doc.catchupMs,
      pauseOnFailure: doc.pauseOnFailure,
      trigger: backfill ? 'backfill' : 'schedule',
      ...extra,
    });
  if (doc.spec.afterMs !== undefined && !backfill) return yield* afterRuns(g, ctx.now, fire);
  for (;;) {
    const left = doc.spec.limit === undefined || count + queue.length < doc.spec.limit;
    let next = left ? nextFire(doc.spec, cursor) : null;
    if (backfill && next !== null && next > g.backfillTo!) next = null;
    if (queue.length === 0) {
      if (next === null) return { fires: count } as Json;
      if (!backfill && steps >= (g.steps ?? STEPS_PER_GENERATION)) {
        const input: GenerationInput = { ...g, gen: g.gen + 1, after: cursor, count, queue: [] };
        yield start(
          generationTaskId(g.uid, g.gen + 1),
          { coroutine: SCHEDULE_COROUTINE, input: input as unknown as Json },
          { op: 'continue', ns: g.ns, sid: g.sid, gen: g.gen },
        );
        return { fires: count, continued: g.gen + 1 } as Json;
      }
      const at = next + jitterOf(g.uid, next, doc.spec.jitterMs);
      if (!backfill && at > ctx.now()) {
        yield sleepUntil(at, 'fire');
        steps++;
      }
      cursor = next;
      queue.push(next);
      continue;
    }
    const answer = (yield fire(queue[0])) as FireAnswer;
    steps++;
    if (answer.stale || answer.paused) return { fires: count } as Json;
    if (answer.missed) {
      // everything older than the window goes: the worker recorded it as skipped
      queue.length = 0;
      cursor = Math.max(cursor, (answer.now ?? ctx.now()) - doc.catchupMs);
      continue;
    }
    if (answer.busy) {
      // wait for the previous run to end, taking in the fires that fall due meanwhile
      const due = next === null ? Infinity : next + jitterOf(g.uid, next, doc.spec.jitterMs);
      yield sleepUntil(Math.min(ctx.now() + BUFFER_POLL_MS, due), 'buffered');
      steps++;
      if (next !== null && ctx.now() >= due) {
        cursor = next;
        if (queue.length < max) {
          queue.push(next);
        } else {
          yield fire(next, 'skip', { reason: 'buffer-full' });
          steps++;
        }
      }
      continue;
    }
    queue.shift();
    if (answer.started) count++;
  }
};

/**
 * `after` schedules: start at once (or at startAt), wait for the run to end, sleep `after`, start again.
 * The wait looks at the run every BUFFER_POLL_MS (the worker answers `busy` or when it ended).
 */
function* afterRuns(
  g: GenerationInput,
  now: () => number,
  fire: (due: number, op?: string, extra?: Record<string, Json>) => StartEffect,
): Generator<Effect, Json, FireAnswer> {
  const { doc } = g;
  let count = g.count;
  let awaiting = g.awaiting;
  let due = Math.max(g.after, doc.spec.startAt ?? 0);
  let steps = 0;
  for (;;) {
    if (steps >= (g.steps ?? STEPS_PER_GENERATION)) {
      const input: GenerationInput = {
        ...g,
        gen: g.gen + 1,
        after: due,
        count,
        queue: [],
        ...(awaiting ? { awaiting } : {}),
      };
      yield start(
        generationTaskId(g.uid, g.gen + 1),
        { coroutine: SCHEDULE_COROUTINE, input: input as unknown as Json },
        { op: 'continue', ns: g.ns, sid: g.sid, gen: g.gen },
      );
      return { fires: count, continued: g.gen + 1 };
    }
    if (awaiting) {
      const a = yield fire(due, 'await', { awaiting });
      steps++;
      if (a.stale) return { fires: count };
      if (a.busy) {
        yield sleepUntil(now() + BUFFER_POLL_MS, 'awaiting');
        steps++;
        continue;
      }
      awaiting = undefined;
      due = (a.endedAt ?? now()) + doc.spec.afterMs!;
      continue;
    }
    if (
      (doc.spec.limit !== undefined && count >= doc.spec.limit) ||
      (doc.spec.endAt !== undefined && due > doc.spec.endAt)
    )
      return { fires: count };
    if (due > now()) {
      yield sleepUntil(due, 'fire');
      steps++;
    }
    const r = yield fire(due, 'fire', { overlap: 'allowAll' });
    steps++;
    if (r.stale || r.paused) return { fires: count };
    if (r.missed) {
      due = r.now ?? now();
      continue;
    }
    if (r.started) {
      count++;
      awaiting = r.id;
    }
  }
}

export function registerScheduleCoroutine(registry: CoroutineRegistry): void {
  registry.register(SCHEDULE_COROUTINE, scheduleCoroutine);
}
