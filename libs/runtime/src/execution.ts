import type { Effect, EffectKind } from './effects';
import { NonDeterminismError, TaskError, type TaskErrorData, toTaskErrorData } from './errors';
import type { Json } from './json';
import { checkChangeId, type PatchDecider, withPatchDecider } from './patch';

export interface CoroutineContext {
  readonly taskId: string;
  /**
   * When the current step became ready to run (epoch ms): a fresh task's submission, a timer's due time, a
   * value's or event's arrival. Dispatch delay is not in it, so it never accumulates across steps, and it
   * is recorded in the journal, so replay sees the same value.
   */
  now(): number;
  /**
   * Append an entry to the task's trace (which DSL task started or ended, with what). Entries made while
   * the journal is being replayed were stored the first time and are dropped.
   */
  record(entry: Json): void;
  /** The same as the `patched()` effect helper (patch.ts): true on the new path of a change. */
  patched(changeId: string): boolean;
}

/**
 * What a `yield` evaluates to in a coroutine: the result of the effect it yielded, whose type depends on the
 * effect, which a Generator type cannot say. `any`, so `const v: T = yield effect` needs no cast: `unknown`
 * would force one at every yield of every coroutine.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type YieldResult = any;

export type Coroutine = (input: Json, ctx: CoroutineContext) => Generator<Effect, Json | void, YieldResult>;

/** One resolved suspension: what the coroutine was sent at its `yield`. */
export interface JournalEntry {
  /** Kind of the effect this entry resolved. */
  k: EffectKind;
  /** The result sent in, or */
  r?: Json;
  /** an error thrown in at the `yield`. */
  e?: TaskErrorData;
  /** When the coroutine was resumed with it (epoch ms). */
  t: number;
  /** When the step was due (timers) or its result arrived: the step's clock (ctx.now()) when present. */
  d?: number;
}

export type Outcome =
  { type: 'suspend'; effect: Effect } | { type: 'complete'; output: Json } | { type: 'fault'; error: TaskErrorData };

const EFFECT_KINDS = new Set<string>([
  'sleep',
  'sleepUntil',
  'receive',
  'waitForEvent',
  'http',
  'emit',
  'spawn',
  'start',
  'activity',
  'job',
]);

/**
 * A live coroutine. It is built by `start` (a fresh task) or `replay` (a task whose generator is not in
 * this process: its journal is fed back in, checking each yielded effect against the recorded one), and
 * moved on by `resume`. Resuming costs the same whatever the number of steps already taken.
 */
export class Execution implements PatchDecider {
  private clock: number;
  private pending: Effect | null = null;
  private stepCount = 0;
  private replaying = false;
  private records: Json[] = [];
  /** patched() decisions: those kept with the task, and those made since (see patch.ts). */
  private patches = new Map<string, boolean>();
  private patchesChanged = false;
  /** While the journal is replayed over code that ran before, patched() answers the old path. */
  private replayingPatches = false;

  private constructor(
    private readonly gen: Generator<Effect, Json | void, YieldResult>,
    startedAt: number,
  ) {
    this.clock = startedAt;
  }

  /** Results sent in so far: the length of the journal this execution is at. */
  get steps(): number {
    return this.stepCount;
  }

  /** Trace entries recorded since the last call, live steps only. */
  drainRecords(): Json[] {
    const out = this.records;
    this.records = [];
    return out;
  }

  /** The patched() decisions as JSON text, when one was made since the last call (to keep with the task). */
  drainPatches(): string | undefined {
    if (!this.patchesChanged) return undefined;
    this.patchesChanged = false;
    return JSON.stringify(Object.fromEntries(this.patches));
  }

  patched(changeId: string): boolean {
    checkChangeId(changeId);
    const known = this.patches.get(changeId);
    if (known !== undefined) return known;
    const decision = !this.replayingPatches;
    this.patches.set(changeId, decision);
    this.patchesChanged = true;
    return decision;
  }

  /** The effect the coroutine is suspended on, if any. */
  get suspendedOn(): Effect | null {
    return this.pending;
  }

  static start(
    fn: Coroutine,
    input: Json,
    taskId: string,
    startedAt: number,
    replaying = false,
    patches?: Record<string, boolean>,
  ): { execution: Execution; outcome: Outcome } {
    let execution: Execution | undefined;
    const ctx: CoroutineContext = {
      taskId,
      now: () => execution!.clock,
      record: (entry) => {
        if (!execution!.replaying) execution!.records.push(entry);
      },
      patched: (changeId) => execution!.patched(changeId),
    };
    const prepare = (e: Execution): Execution => {
      e.replaying = replaying;
      if (patches) {
        e.replayingPatches = true;
        for (const [id, v] of Object.entries(patches)) if (typeof v === 'boolean') e.patches.set(id, v);
      }
      return e;
    };
    let gen: Generator<Effect, Json | void, YieldResult>;
    try {
      gen = fn(input, ctx);
    } catch (err) {
      const dummy = (function* (): Generator<Effect, Json, YieldResult> {
        return null;
      })();
      execution = prepare(new Execution(dummy, startedAt));
      return { execution, outcome: { type: 'fault', error: toTaskErrorData(err) } };
    }
    execution = prepare(new Execution(gen, startedAt));
    return { execution, outcome: execution.advance(() => gen.next()) };
  }

  /**
   * `patches`: the task's kept patched() decisions. Everything replayed here, up to and including the code
   * that yielded the pending effect, ran before: a patched() call first reached in it answers the old path.
   */
  static replay(
    fn: Coroutine,
    input: Json,
    taskId: string,
    startedAt: number,
    journal: readonly JournalEntry[],
    patches: Record<string, boolean> = {},
  ): { execution: Execution; outcome: Outcome } {
    const started = Execution.start(fn, input, taskId, startedAt, journal.length > 0, patches);
    let outcome = started.outcome;
    for (let i = 0; i < journal.length; i++) {
      const entry = journal[i];
      if (outcome.type !== 'suspend') {
        throw new NonDeterminismError(i, entry.k, outcome.type);
      }
      if (outcome.effect.kind !== entry.k) {
        throw new NonDeterminismError(i, entry.k, outcome.effect.kind);
      }
      outcome = started.execution.resume(entry);
    }
    // everything up to the pending effect ran before, and was recorded then
    started.execution.replaying = false;
    started.execution.replayingPatches = false;
    started.execution.records = [];
    return { execution: started.execution, outcome };
  }

  /** Send a journal entry in: its result, or its error thrown at the pending `yield`. */
  resume(entry: Pick<JournalEntry, 'r' | 'e' | 't' | 'd'>): Outcome {
    if (!this.pending) throw new Error('resume() on an execution that is not suspended');
    this.clock = entry.d ?? entry.t;
    this.stepCount++;
    this.pending = null;
    if (entry.e) {
      const err = new TaskError(entry.e);
      return this.advance(() => this.gen.throw(err));
    }
    return this.advance(() => this.gen.next(entry.r === undefined ? null : entry.r));
  }

  /** End the coroutine (the seed's close()): its finally blocks run, their yields are ignored. */
  close(): void {
    this.pending = null;
    try {
      withPatchDecider(this, () => this.gen.return(null));
    } catch {
      // a finally block that throws on close changes nothing: the task is cancelled either way
    }
  }

  private advance(step: () => IteratorResult<Effect, Json | void>): Outcome {
    let res: IteratorResult<Effect, Json | void>;
    try {
      res = withPatchDecider(this, step);
    } catch (err) {
      return { type: 'fault', error: toTaskErrorData(err) };
    }
    if (res.done) return { type: 'complete', output: res.value === undefined ? null : res.value };
    const effect = res.value as Effect;
    if (!effect || typeof effect !== 'object' || !EFFECT_KINDS.has((effect as { kind?: string }).kind ?? '')) {
      this.close();
      return {
        type: 'fault',
        error: toTaskErrorData(
          new TypeError(`a coroutine must yield an effect (sleep, receive, http, ...), got ${describe(effect)}`),
        ),
      };
    }
    this.pending = effect;
    return { type: 'suspend', effect };
  }
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 80) ?? String(v);
  } catch {
    return String(v);
  }
}
