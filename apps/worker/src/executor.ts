import {
  BudgetError,
  type Coroutine,
  type Effect,
  ERROR_TYPES,
  Execution,
  type Json,
  type JournalEntry,
  type Outcome,
  toTaskErrorData,
} from '@yieldflow/runtime';
import { type ClaimedTask, OP_KINDS, type StoredEntry, type WritebackOp } from '@yieldflow/store';
import { performance } from 'node:perf_hooks';
import { cannotRun } from './coroutine-source';
import { NamespaceRedactors, type Redactor } from './redaction';

/** A live execution kept between resumes, valid while its journal length matches the stored one. */
interface Cached {
  execution: Execution;
}

/** What the dispatcher does after the write-back: perform an effect the task now holds. */
export interface Held {
  task: ClaimedTask;
  seq: number;
  effect: Effect;
  /** The span of the step that yielded it, when traces are exported: the IO call's span is its child. */
  trace?: StepTrace;
}

export interface Executed {
  op: WritebackOp;
  held?: Held;
  /** resumedAt - dueAt, for timers and arrivals. */
  lateMs?: number;
}

/** The span of a step, kept with the effect it holds so the IO call's span is its child. */
export interface StepTrace {
  traceId: string;
  spanId: string;
}

/** What the executor and the dispatcher tell about each step (observer.ts: metrics, task logs, traces). */
export interface StepObserver {
  /** A step ran from `startedAt` (performance.now()) until now. */
  stepped(task: ClaimedTask, res: Executed, startedAt: number): void;
  /** A write-back answered: `applied[i]` is the script's answer for `steps[i]` (0 skipped, 3 faulted over a budget). */
  committed(steps: { task: ClaimedTask; res: Executed }[], applied: number[]): void;
}

/** What one step may produce; the write-back enforces the task's totals (see TaskBudgets). */
export interface StepBudgets {
  /** One stored value: an output, error, journal entry, trace entry, yielded value or effect (LIMIT_VALUE_BYTES). */
  valueBytes: number;
  /** All a task stores (LIMIT_TASK_BYTES): a step's trace entries are not even encoded past it. */
  taskBytes: number;
  /** Children of one spawn or fork (LIMIT_CHILDREN). */
  children: number;
}

export const DEFAULT_STEP_BUDGETS: StepBudgets = {
  valueBytes: 4 * 1024 * 1024,
  taskBytes: 32 * 1024 * 1024,
  children: 10_000,
};

/**
 * Turns claimed tasks into write-back operations: finds the task's live execution (or rebuilds it from
 * its journal), sends the resolution in, and describes the outcome. Pure but for its cache.
 */
export class Executor {
  private readonly cache = new Map<string, Cached>();

  private readonly redactors: NamespaceRedactors;
  private readonly maxSleepMs: number;
  private readonly budgets: StepBudgets;
  private readonly observer?: StepObserver;

  constructor(
    private readonly maxCached = 200_000,
    opts: {
      maxSleepMs?: number;
      redactors?: NamespaceRedactors;
      budgets?: Partial<StepBudgets>;
      observer?: StepObserver;
    } = {},
  ) {
    this.observer = opts.observer;
    this.redactors = opts.redactors ?? new NamespaceRedactors();
    this.maxSleepMs = opts.maxSleepMs ?? Number.MAX_SAFE_INTEGER;
    this.budgets = { ...DEFAULT_STEP_BUDGETS, ...opts.budgets };
  }

  /** The effect a held task still has to perform, as stored (sealed) with the task. */
  heldEffect(wait: string, namespace: string): Effect {
    return this.redactors.for(namespace).unseal<Effect>(wait);
  }

  has(id: string, seq: number): boolean {
    return this.cache.get(id)?.execution.steps === seq;
  }

  forget(id: string): void {
    this.cache.get(id)?.execution.close();
    this.cache.delete(id);
  }

  /**
   * Close a cancelled task's coroutine (its finally blocks run) and return what it recorded meanwhile.
   * The live execution is used when it is at the stored step, else one rebuilt from the journal.
   */
  close(task: ClaimedTask, fn: Coroutine, journal?: JournalEntry[]): string[] {
    const cached = this.cache.get(task.id);
    this.cache.delete(task.id);
    try {
      const execution =
        cached && cached.execution.steps === task.seq
          ? cached.execution
          : Execution.replay(fn, task.input, task.id, task.startedAt, journal ?? [], task.patches).execution;
      execution.drainRecords();
      execution.close();
      const redactor = this.redactors.for(task.namespace);
      return execution.drainRecords().map((r) => redactor.text(JSON.stringify(r)));
    } catch {
      return []; // a coroutine that cannot be rebuilt has nothing to record
    }
  }

  get size(): number {
    return this.cache.size;
  }

  /** Run one claimed task one step. `journal` is needed only when `has()` said no. */
  execute(task: ClaimedTask, fn: Coroutine, now: number, journal?: JournalEntry[], ahead = false): Executed {
    const observer = this.observer;
    const startedAt = observer ? performance.now() : 0;
    let res: Executed;
    try {
      res = this.step(task, fn, now, journal, ahead);
      const redactor = this.redactors.for(task.namespace);
      if (redactor.active) redactOp(res.op, redactor);
    } catch (err) {
      if (!(err instanceof BudgetError)) throw err;
      this.forget(task.id);
      res = { op: { id: task.id, seq: task.seq, o: OP_KINDS.fault, err: JSON.stringify(err.toJSON()) } };
    }
    if (observer) observer.stepped(task, res, startedAt);
    return res;
  }

  /**
   * Run ahead the step that ends a sleep: its result (null) and its clock (the due time) are known before
   * it is due, so the coroutine can move on now and only the commit waits for the due time (an op with
   * `adv`, whose journal entry gets its resume time when committed). Null when the live execution is not
   * at that step.
   */
  ahead(task: ClaimedTask, fn: Coroutine, seq: number, due: number, suspendedAt: number): Executed | null {
    if (!this.has(task.id, seq)) return null;
    const sleeping: ClaimedTask = {
      ...task,
      seq,
      waitKind: 'sleep',
      resolution: { type: 'result', entry: { r: null } },
      dueAt: due,
      suspendedAt,
    };
    const res = this.execute(sleeping, fn, due, undefined, true);
    res.op.adv = due;
    res.lateMs = undefined;
    return res;
  }

  private step(task: ClaimedTask, fn: Coroutine, now: number, journal?: JournalEntry[], ahead = false): Executed {
    if (task.resolution.type === 'perform') throw new Error('perform is not executed');
    // its code is missing (e.g. not the version it started with): replaying would only report a mismatch
    const missing = cannotRun(fn);
    if (missing) {
      this.forget(task.id);
      return { op: { id: task.id, seq: task.seq, o: OP_KINDS.fault, err: JSON.stringify(missing) } };
    }
    let execution: Execution;
    let outcome: Outcome;
    let entry: StoredEntry | undefined;
    let lateMs: number | undefined;
    try {
      if (task.resolution.type === 'start' && task.seq > 0) {
        // a rerun starts from the journal it was given: replayed up to the effect it runs on from
        ({ execution, outcome } = Execution.replay(
          fn,
          task.input,
          task.id,
          task.createdAt,
          journal ?? [],
          task.patches,
        ));
      } else if (task.resolution.type === 'start') {
        // a fresh task's clock starts when it was submitted (queueing delay is not part of its schedule)
        ({ execution, outcome } = Execution.start(fn, task.input, task.id, task.createdAt));
      } else {
        const cached = this.cache.get(task.id);
        if (cached && cached.execution.steps === task.seq) {
          execution = cached.execution;
        } else {
          execution = Execution.replay(fn, task.input, task.id, task.createdAt, journal ?? [], task.patches).execution;
        }
        const pending = execution.suspendedOn;
        if (!pending) throw new Error(`task ${task.id} has no pending effect at step ${task.seq}`);
        entry = { k: pending.kind, ...task.resolution.entry, t: now, s: task.suspendedAt };
        if (task.dueAt !== null) {
          entry.d = task.dueAt;
          lateMs = now - task.dueAt;
        }
        if ('label' in pending && pending.label !== undefined) entry.l = pending.label;
        outcome = execution.resume(entry);
      }
    } catch (err) {
      this.forget(task.id);
      return { op: { id: task.id, seq: task.seq, o: OP_KINDS.fault, err: JSON.stringify(toTaskErrorData(err)) } };
    }
    const op: WritebackOp = { id: task.id, seq: task.seq, o: OP_KINDS.suspend };
    // the version a fresh code-first task starts on is kept with it (the creator may not have recorded one)
    if (task.kind === 'coroutine' && task.resolution.type === 'start' && task.seq === 0 && task.version !== undefined)
      op.cv = task.version;
    if (entry) {
      // ahead of time the resume time is not known yet: the commit adds it
      op.e = JSON.stringify(ahead ? { ...entry, t: undefined } : entry);
      if (entry.k === 'receive' && entry.r !== undefined && !entry.e) op.pop = true;
      if (entry.k === 'spawn') op.ch = true;
    }
    const rec = execution.drainRecords();
    if (rec.length) op.rec = this.encodeRecords(rec);
    // patched() decisions are kept with the task by the write-back of the step that made them
    const pt = execution.drainPatches();
    if (pt !== undefined) op.pt = pt;
    const seq = task.seq + (entry ? 1 : 0);
    let held: Held | undefined;
    if (outcome.type === 'complete') {
      op.o = OP_KINDS.complete;
      op.out = JSON.stringify(outcome.output);
      this.cache.delete(task.id);
    } else if (outcome.type === 'fault') {
      op.o = OP_KINDS.fault;
      op.err = JSON.stringify(outcome.error);
      this.cache.delete(task.id);
    } else if (outcome.effect.kind === 'spawn' && outcome.effect.children.length > this.budgets.children) {
      const n = outcome.effect.children.length;
      throw new BudgetError('LIMIT_CHILDREN', this.budgets.children, n, 'children started by one spawn or fork');
    } else if (waitTooLong(outcome.effect, now, this.maxSleepMs)) {
      op.o = OP_KINDS.fault;
      op.err = JSON.stringify({
        type: ERROR_TYPES.configuration,
        status: 400,
        title: 'Limit exceeded',
        detail: waitTooLong(outcome.effect, now, this.maxSleepMs),
      });
      this.forget(task.id);
    } else {
      // waits are measured from when this step was due, so dispatch delay never accumulates
      held = describeSuspension(op, outcome.effect, entry ? (entry.d ?? now) : task.createdAt)
        ? { task, seq, effect: outcome.effect }
        : undefined;
      const redactor = this.redactors.for(task.namespace);
      if (held && redactor.active) op.w = redactor.seal(outcome.effect);
      this.remember(task.id, execution);
    }
    this.checkSizes(op);
    return { op, held, lateMs };
  }

  /** Trace entries as JSON text, refusing any one over the value budget and the lot over the task's. */
  private encodeRecords(rec: Json[]): string[] {
    const out: string[] = [];
    let total = 0;
    for (const r of rec) {
      const text = JSON.stringify(r);
      if (text.length > this.budgets.valueBytes)
        throw new BudgetError('LIMIT_VALUE_BYTES', this.budgets.valueBytes, text.length, 'bytes of one trace entry');
      total += text.length;
      if (total > this.budgets.taskBytes)
        throw new BudgetError(
          'LIMIT_TASK_BYTES',
          this.budgets.taskBytes,
          total,
          'bytes of trace entries recorded in one step',
        );
      out.push(text);
    }
    return out;
  }

  /** Every value a write-back stores is bounded: an output, error, journal entry, yielded value or effect. */
  private checkSizes(op: WritebackOp): void {
    const fields: [string | undefined, string][] = [
      [op.out, 'output'],
      [op.err, 'error'],
      [op.e, 'journal entry'],
      [op.y, 'yielded value'],
      [op.w, 'effect'],
    ];
    for (const [text, what] of fields) {
      if (text !== undefined && text.length > this.budgets.valueBytes) {
        throw new BudgetError('LIMIT_VALUE_BYTES', this.budgets.valueBytes, text.length, `bytes of the task's ${what}`);
      }
    }
  }

  private remember(id: string, execution: Execution): void {
    this.cache.delete(id); // re-inserted last: the map's order is least recently used first
    if (this.cache.size >= this.maxCached) {
      // evict the oldest: it is rebuilt from its journal if it comes back
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(id, { execution });
  }
}

/** Why a suspension waits longer than LIMIT_SLEEP_MS allows, or null. */
function waitTooLong(effect: Effect, now: number, max: number): string | null {
  const waits: [string, number | undefined][] = [
    ['sleep', effect.kind === 'sleep' ? effect.ms : undefined],
    ['sleepUntil', effect.kind === 'sleepUntil' ? effect.at - now : undefined],
    ['waitForEvent timeout', effect.kind === 'waitForEvent' ? effect.timeoutMs : undefined],
    ['timeout', 'deadline' in effect && effect.deadline !== undefined ? effect.deadline - now : undefined],
  ];
  for (const [what, ms] of waits) {
    if (ms !== undefined && ms > max)
      return `${effect.kind}: a ${what} of ${ms} ms is longer than the ${max} ms a task may wait (LIMIT_SLEEP_MS)`;
  }
  return null;
}

/** Everything a write-back stores, with `$secrets` redacted (the held effect is sealed instead, see Redactor). */
function redactOp(op: WritebackOp, r: Redactor): void {
  op.out = r.text(op.out);
  op.err = r.text(op.err);
  op.e = r.text(op.e);
  op.y = r.text(op.y);
  if (op.w !== undefined && !op.hold) op.w = r.text(op.w);
  if (op.rec) op.rec = op.rec.map((x) => r.text(x));
}

/** Fill a suspend op from the effect; returns true when the worker must perform the effect itself. */
function describeSuspension(op: WritebackOp, effect: Effect, now: number): boolean {
  op.wk = effect.kind;
  op.w = JSON.stringify(effect);
  if ('deadline' in effect && effect.deadline !== undefined) op.dl = effect.deadline;
  switch (effect.kind) {
    case 'sleep':
      op.due = now + Math.max(0, effect.ms);
      return false;
    case 'sleepUntil':
      op.due = Math.max(now, effect.at);
      return false;
    case 'receive':
      op.y = JSON.stringify(effect.value ?? null);
      return false;
    case 'waitForEvent':
      op.types = Array.isArray(effect.type) ? effect.type : [effect.type];
      if (effect.timeoutMs !== undefined) op.due = now + Math.max(0, effect.timeoutMs);
      return false;
    case 'spawn':
      op.cn = effect.children.length;
      op.cm = effect.wait;
      op.hold = true;
      return true;
    case 'http':
    case 'emit':
    case 'start':
    case 'activity':
    case 'job':
      op.hold = true;
      return true;
  }
}
