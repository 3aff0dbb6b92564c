import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { ERROR_TYPES, type JournalEntry } from '@yieldflow/runtime';
import { Channels, type ClaimedTask, OP_KINDS, StatsStore, type TaskStore, WorkerRegistry } from '@yieldflow/store';
import type { CoroutineSource } from './coroutine-source';
import { type Executed, Executor, type Held, type StepBudgets, type StepObserver } from './executor';
import type { EffectPerformer } from './effect-performer';
import type { Outbox } from './outbox';
import type { NamespaceRedactors } from './redaction';
import { DueHeap } from './due-heap';
import { isScriptError } from './script-error';
import { ResumeStats } from './stats';
import { ChangePublisher } from './changes';

export interface DispatcherOptions {
  workerId?: string;
  /** Partition lease, ms (default 3,000): a dead worker's partitions move within lease + heartbeat. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** Tasks claimed per script call (default 1,000). */
  claimBatch?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
  /** Longest wait a coroutine may yield, ms (LIMIT_SLEEP_MS); a longer one faults the task. */
  maxSleepMs?: number;
  /** Keeps `$secrets` out of what is written back. */
  redactors?: NamespaceRedactors;
  /** What one step may produce (value sizes, children per spawn). */
  budgets?: Partial<StepBudgets>;
  /** Told of every step run and every write-back (metrics, task logs, traces). */
  observer?: StepObserver;
}

/** Sleeps due within this window are run ahead of time (longer ones are claimed when due). */
const AHEAD_WINDOW_MS = 5 * 60_000;
const AHEAD_MAX = 200_000;

/** A step computed and waiting to be written back. */
interface Step {
  task: ClaimedTask;
  res: Executed;
}

interface Owned {
  token: string;
  pumping: boolean;
  again: boolean;
  closing: boolean;
  nextDue: number | null;
  timer: NodeJS.Timeout | null;
  inflight: number;
  /** Steps run ahead of time, by task id, and their due times. */
  ahead: Map<string, Step>;
  heap: DueHeap;
}

/**
 * The dispatcher of one worker process. It leases a fair share of the partitions, and for each one it
 * owns, claims due tasks in batches when woken (a published wake, or a timer set for the earliest due
 * task it knows of), runs them one step, writes the steps back in one script call, and performs the
 * IO effects they yield. No loop scans tasks: the only periodic work is the lease heartbeat.
 */
export class Dispatcher {
  readonly workerId: string;
  readonly stats = new ResumeStats();
  private readonly owned = new Map<number, Owned>();
  private readonly executor: Executor;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly claimBatch: number;
  private heartbeat: NodeJS.Timeout | null = null;
  private heardAt = 0;
  private readonly pingMessage: string;
  private stopping = false;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: NonNullable<DispatcherOptions['log']>;
  private readonly changes: ChangePublisher;
  private readonly observer?: StepObserver;
  private readonly workers: WorkerRegistry;
  private readonly statsStore: StatsStore;

  constructor(
    private readonly store: TaskStore,
    private readonly subscriber: Redis,
    private readonly source: CoroutineSource,
    private readonly performer: EffectPerformer,
    private readonly outbox: Outbox,
    opts: DispatcherOptions = {},
  ) {
    this.workerId = opts.workerId ?? `w-${randomBytes(4).toString('hex')}`;
    this.executor = new Executor(undefined, {
      maxSleepMs: opts.maxSleepMs,
      redactors: opts.redactors,
      budgets: opts.budgets,
      observer: opts.observer,
    });
    this.observer = opts.observer;
    this.leaseMs = opts.leaseMs ?? 3000;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.claimBatch = opts.claimBatch ?? 1000;
    this.log = opts.log ?? (() => undefined);
    this.pingMessage = `ping:${this.workerId}`;
    this.workers = new WorkerRegistry(store, this.heartbeatMs);
    this.statsStore = new StatsStore(store);
    this.changes = new ChangePublisher(new Channels(store));
  }

  get partitionsOwned(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** The lease token of a partition this worker owns (the retention sweeper fences its removals with it). */
  tokenOf(partition: number): string | undefined {
    const o = this.owned.get(partition);
    return o && !o.closing ? o.token : undefined;
  }

  async start(): Promise<void> {
    await this.store.init();
    this.subscriber.on('message', (_channel: string, message: string) => {
      if (message === this.pingMessage) {
        this.heardAt = Date.now();
        return;
      }
      const p = Number(message);
      if (this.owned.has(p)) this.pump(p);
    });
    await this.listen();
    await this.beat();
    this.heartbeat = setInterval(() => this.track(this.beat()), this.heartbeatMs);
  }

  /** Stop taking work, finish what is held, hand the partitions back, and leave. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const o of this.owned.values()) {
      o.closing = true;
      if (o.timer) clearTimeout(o.timer);
    }
    // the leases are still renewed while held work finishes: a call longer than a lease would otherwise
    // let another worker take the partition over and make the call again
    const renew = setInterval(() => {
      for (const [p, o] of this.owned) this.store.own(p, o.token, this.leaseMs, 'renew').catch(() => undefined);
    }, this.heartbeatMs);
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, 50))]);
    }
    clearInterval(renew);
    await Promise.all([...this.owned.keys()].map((p) => this.release(p)));
    await this.workers.leave(this.workerId);
    await this.stats.flush(this.statsStore);
    await this.subscriber.unsubscribe().catch(() => undefined);
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p
      .catch((err: Error) => this.log('error', `dispatcher: ${err.message}`, { stack: err.stack }))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Subscribe to wakes (again). A worker that cannot hear them must not own partitions. */
  private async listen(): Promise<void> {
    await this.workers.listen(this.subscriber);
    this.heardAt = Date.now();
    await this.workers.wake(this.pingMessage);
  }

  /** Whether this worker can be woken, i.e. hears its own pings; false while it cannot (and it tries again). */
  get hearing(): boolean {
    // five heartbeats: a busy Redis or event loop delays pings, and a false alarm costs a hand-over
    return Date.now() - this.heardAt <= this.heartbeatMs * 5 + 500;
  }

  /**
   * A worker hears its own ping on the wake channel every heartbeat. One that stops hearing (its
   * subscription lost: it would sit on its partitions while their tasks wait) gives its partitions up,
   * leaves the registry (so /health counts it down), and subscribes again.
   */
  private async checkHearing(): Promise<boolean> {
    const asked = Date.now();
    await this.workers.wake(this.pingMessage);
    if (this.hearing) return true;
    // a blocked event loop delays the pings it has not read yet: give this one two seconds before judging
    for (let i = 0; i < 40 && this.heardAt < asked; i++) await new Promise((r) => setTimeout(r, 50));
    if (this.heardAt >= asked) return true;
    this.log(
      'error',
      `worker ${this.workerId} cannot hear wakes (its subscription is lost); giving its partitions up and subscribing again`,
    );
    await this.workers.leave(this.workerId);
    await Promise.all([...this.owned.keys()].map((p) => this.release(p)));
    try {
      await this.subscriber.unsubscribe().catch(() => undefined);
      await this.listen();
    } catch (err) {
      this.log('error', `worker ${this.workerId}: subscribing again failed: ${(err as Error).message}`);
    }
    return false;
  }

  /** Heartbeat: renew leases, take a fair share of free partitions, give back any excess. */
  private async beat(): Promise<void> {
    if (this.stopping) return;
    if (!(await this.checkHearing())) return;
    const now = Date.now();
    await this.workers.beat(this.workerId, this.leaseMs * 10, now);
    await this.store.announce(now);
    // each worker group owns every partition: the share is of its own live workers
    const alive = Math.max(1, await this.workers.liveInGroup(now));
    const fair = Math.ceil(this.store.partitions / alive);
    for (const [p, o] of this.owned) {
      if ((await this.store.own(p, o.token, this.leaseMs, 'renew')) === -2) this.lose(p, 'lease lost');
    }
    let excess = this.owned.size - fair;
    for (const [p, o] of [...this.owned]) {
      if (excess <= 0) break;
      if (!o.pumping && o.inflight === 0) {
        await this.release(p);
        excess--;
      }
    }
    if (this.owned.size < fair) {
      const order = [...Array(this.store.partitions).keys()].filter((p) => !this.owned.has(p));
      order.sort(() => Math.random() - 0.5);
      for (const p of order) {
        if (this.owned.size >= fair) break;
        const token = this.store.token(this.workerId, randomBytes(6).toString('hex'));
        const recovered = await this.store.own(p, token, this.leaseMs, 'take');
        if (recovered >= 0) {
          this.owned.set(p, {
            token,
            pumping: false,
            again: false,
            closing: false,
            nextDue: null,
            timer: null,
            inflight: 0,
            ahead: new Map(),
            heap: new DueHeap(),
          });
          if (recovered > 0)
            this.log('info', `took partition ${p}, recovered ${recovered} tasks`, { partition: p, recovered });
          this.pump(p);
        }
      }
    }
    await this.stats.flush(this.statsStore);
    await this.changes.check();
  }

  private async release(p: number): Promise<void> {
    const o = this.owned.get(p);
    if (!o) return;
    this.owned.delete(p);
    if (o.timer) clearTimeout(o.timer);
    await this.store.own(p, o.token, this.leaseMs, 'release');
  }

  private lose(p: number, why: string): void {
    const o = this.owned.get(p);
    if (!o) return;
    this.log('warn', `partition ${p}: ${why}`, { partition: p });
    if (o.timer) clearTimeout(o.timer);
    this.owned.delete(p);
  }

  /** Claim and run a partition's due tasks until none is due; then sleep until the next one is. */
  pump(p: number): void {
    const o = this.owned.get(p);
    if (!o || o.closing) return;
    if (o.pumping) {
      o.again = true;
      return;
    }
    o.pumping = true;
    this.track(this.drain(p, o));
  }

  private async drain(p: number, o: Owned): Promise<void> {
    let failed = false;
    try {
      do {
        o.again = false;
        const advanced = await this.advance(p, o);
        if (!this.owned.has(p)) return;
        const claim = await this.store.claim(p, o.token, this.claimBatch);
        if (!claim) return this.lose(p, 'not the owner');
        o.nextDue = claim.nextDue;
        if (advanced !== null && (o.nextDue === null || advanced < o.nextDue)) o.nextDue = advanced;
        if (claim.tasks.length > 0) {
          const earliest = await this.run(p, o, claim.tasks);
          if (earliest !== null && (o.nextDue === null || earliest < o.nextDue)) o.nextDue = earliest;
        }
        if (claim.tasks.length >= this.claimBatch) o.again = true;
        // parked for another worker group: its owner of this partition claims them when woken
        if (claim.parked > 0) await this.workers.wake(p);
        await this.outbox.drain(p, o.token);
      } while (o.again && !o.closing);
    } catch (err) {
      // Redis unreachable or a script failed mid-step: treat it as a crash of this partition. It is given
      // up; whoever takes it next (maybe this worker, at its next heartbeat) re-queues its active tasks,
      // and the generator cache, checked against each task's journal length, replays what it must.
      failed = true;
      this.log('warn', `partition ${p}: ${(err as Error).message}; giving it up for recovery`, { partition: p });
    } finally {
      o.pumping = false;
      if (failed) {
        this.owned.delete(p);
        if (o.timer) clearTimeout(o.timer);
        this.track(
          this.store.own(p, o.token, this.leaseMs, 'release').then(
            () => undefined,
            () => undefined,
          ),
        );
      } else {
        this.schedule(p, o);
      }
    }
  }

  private schedule(p: number, o: Owned): void {
    if (o.timer) clearTimeout(o.timer);
    o.timer = null;
    if (o.closing || o.nextDue === null || !this.owned.has(p)) return;
    // a timer past 2^31 ms fires at once (Node clamps it to 1 ms): far due times are looked at again hourly
    const delay = Math.min(Math.max(0, o.nextDue - Date.now()), 3_600_000);
    o.timer = setTimeout(() => {
      o.timer = null;
      this.pump(p);
    }, delay);
  }

  /** Run claimed tasks one step each, write them back in one call; returns the earliest new due time. */
  private async run(p: number, o: Owned, tasks: ClaimedTask[]): Promise<number | null> {
    const toRun = tasks.filter((t) => t.resolution.type !== 'perform');
    for (const t of tasks) {
      o.ahead.delete(t.id); // claimed the ordinary way: a step run ahead for it is void
      if (t.resolution.type === 'perform')
        this.perform(o, { task: t, seq: t.seq, effect: this.executor.heldEffect(t.wait, t.namespace) });
    }
    if (toRun.length === 0) return null;
    await this.source.prepare(toRun);
    // a rerun starts with a journal (seq > 0) to replay
    const misses = toRun.filter(
      (t) =>
        (t.resolution.type === 'result' && !this.executor.has(t.id, t.seq)) ||
        (t.resolution.type === 'start' && t.seq > 0),
    );
    const journals = new Map<string, JournalEntry[]>();
    if (misses.length)
      (await this.store.journals(misses.map((t) => t.id))).forEach((j, i) => journals.set(misses[i].id, j));
    const steps: Step[] = toRun.map((t) => ({
      task: t,
      res: this.executor.execute(t, this.source.get(t), Date.now(), journals.get(t.id)),
    }));
    return this.commit(p, o, steps);
  }

  /** Commit the steps whose sleeps are due, run ahead of time; returns the earliest new due time. */
  private async advance(p: number, o: Owned): Promise<number | null> {
    let earliest: number | null = null;
    while (o.heap.peek() <= Date.now()) {
      const steps: Step[] = [];
      while (steps.length < this.claimBatch && o.heap.peek() <= Date.now()) {
        const { due, id } = o.heap.pop()!;
        const step = o.ahead.get(id);
        if (!step || step.res.op.adv !== due) continue; // superseded
        o.ahead.delete(id);
        steps.push(step);
      }
      if (steps.length === 0) break;
      const e = await this.commit(p, o, steps);
      if (e !== null && (earliest === null || e < earliest)) earliest = e;
      if (!this.owned.has(p)) break;
    }
    return earliest;
  }

  /** Write steps back in one call and act on what applied; returns the earliest new due time. */
  private async commit(p: number, o: Owned, steps: Step[]): Promise<number | null> {
    let earliest: number | null = null;
    for (const { res } of steps) {
      if (res.op.due !== undefined && (earliest === null || res.op.due < earliest)) earliest = res.op.due;
      if (res.op.dl !== undefined && (earliest === null || res.op.dl < earliest)) earliest = res.op.dl;
    }
    const now = Date.now();
    const applied = await this.writeback(p, o, steps, now);
    if (!applied) {
      for (const { task } of steps) this.executor.forget(task.id);
      this.lose(p, 'lease lost during write-back');
      return null;
    }
    this.changes.published(steps, applied);
    this.observer?.committed(steps, applied);
    steps.forEach(({ task, res }, i) => {
      if (applied[i] === 2) earliest = 0;
      if (!applied[i] || applied[i] === 3) {
        // skipped, or faulted over a budget in the store: nothing of it runs on
        this.executor.forget(task.id);
        return;
      }
      this.stats.resumed(res.op.adv !== undefined ? now - res.op.adv : res.lateMs);
      if (res.held) this.perform(o, res.held);
      this.runAhead(o, task, res, now);
    });
    return earliest;
  }

  /**
   * Write steps back in one call. A call the script refuses (a Lua error: a value it cannot take) is
   * retried op by op, and an op that fails alone faults its task with the reason, so one task can never
   * hold back the rest of its partition. Connection errors are thrown: the partition is given up.
   */
  private async writeback(p: number, o: Owned, steps: Step[], now: number): Promise<number[] | null> {
    const ops = steps.map((s) => s.res.op);
    try {
      return await this.store.writeback(p, o.token, ops, now);
    } catch (err) {
      if (!isScriptError(err)) throw err;
      this.log(
        'warn',
        `partition ${p}: a write-back of ${ops.length} tasks failed (${(err as Error).message}); writing them one by one`,
        { partition: p },
      );
    }
    const applied: number[] = [];
    for (const op of ops) {
      let r: number[] | null;
      try {
        r = await this.store.writeback(p, o.token, [op], now);
      } catch (err) {
        if (!isScriptError(err)) throw err;
        const reason = (err as Error).message.slice(0, 500);
        this.log('error', `task ${op.id}: its write-back failed (${reason}); it faults`, {
          taskId: op.id,
          partition: p,
        });
        const error = {
          type: ERROR_TYPES.runtime,
          status: 500,
          title: 'Write-back failed',
          detail: `the task's step could not be stored: ${reason}`,
        };
        r = await this.store.writeback(
          p,
          o.token,
          [
            {
              id: op.id,
              seq: op.seq,
              o: OP_KINDS.fault,
              err: JSON.stringify(error),
              ...(op.adv !== undefined ? { adv: op.adv } : {}),
            },
          ],
          now,
        );
        if (r) r = [r[0] ? 3 : 0];
      }
      if (!r) return null;
      applied.push(r[0]);
    }
    return applied;
  }

  /** A task now asleep (no deadline) and due soon: run the step that ends its sleep now, commit it when due. */
  private runAhead(o: Owned, task: ClaimedTask, res: Executed, now: number): void {
    const op = res.op;
    if (
      op.o !== OP_KINDS.suspend ||
      (op.wk !== 'sleep' && op.wk !== 'sleepUntil') ||
      op.due === undefined ||
      op.dl !== undefined ||
      op.hold
    )
      return;
    if (op.due - now > AHEAD_WINDOW_MS || o.ahead.size >= AHEAD_MAX) return;
    const seq = op.seq + (op.e ? 1 : 0);
    const next = this.executor.ahead(task, this.source.get(task), seq, op.due, now);
    if (!next) return;
    o.ahead.set(task.id, { task, res: next });
    o.heap.push(op.due, task.id);
  }

  /** Close a cancelled task's coroutine and record what its finally blocks did (an outbox item). */
  async closeTask(id: string): Promise<void> {
    const task = await this.store.closing(id);
    if (!task) return;
    await this.source.prepare([task]);
    const journal = this.executor.has(id, task.seq) ? undefined : await this.store.journal(id);
    await this.store.closed(id, this.executor.close(task, this.source.get(task), journal));
  }

  private perform(o: Owned, held: Held): void {
    o.inflight++;
    this.track(this.performer.perform(held).finally(() => o.inflight--));
  }
}
