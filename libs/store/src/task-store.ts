import { createHash } from 'node:crypto';
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';
import { ERROR_TYPES, type Json, type JournalEntry } from '@yieldflow/runtime';
import { ConflictError, EventBufferFullError, LimitError, NotFoundError } from './errors';
import { registerInternals } from './internal';
import { Keys, partitionOf } from './keys';
import { type ScriptedPipeline, type ScriptedRedis, withScripts } from './scripts';
import {
  type Claim,
  type ClaimedTask,
  DEFAULT_RETENTION_MS,
  DEFAULT_TASK_BUDGETS,
  type NewTask,
  type Retention,
  type SendResult,
  type StoreOptions,
  type StoredEvent,
  type Sweep,
  type TaskBudgets,
  type WritebackOp,
} from './types';
import { decodeRead, decodeRecords, F, readFields } from './wire';

const CREATE_CHUNK = 2000;
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Every state change of a task, each one atomic script on the task's partition. Knows Redis and the
 * key layout; knows nothing of HTTP or of how coroutines run.
 */
export class TaskStore {
  private readonly keys: Keys;
  private readonly redis: ScriptedRedis;
  private readonly eventBufferMs: number;
  private readonly eventBufferMax: number;
  private readonly eventBufferBytes: number;
  private readonly maxInbox: number;
  readonly budgets: TaskBudgets;
  /** The worker group ('' for the default one) and the coroutines it runs (null: all). */
  readonly group: string;
  readonly serves: string[] | null;
  readonly retention: Retention;
  /** The retention arguments of the end transitions' scripts: default ms, and the overrides as JSON ('' for none). */
  private readonly retentionArgs: [number, string];

  constructor(redis: Redis, opts: StoreOptions = {}) {
    this.redis = withScripts(redis);
    this.keys = new Keys(opts.prefix ?? 'yf', opts.partitions ?? 16, opts.partitionTags);
    registerInternals(this, { redis: this.redis, keys: this.keys });
    this.eventBufferMs = opts.eventBufferMs ?? 60_000;
    this.eventBufferMax = opts.eventBufferMax ?? 1000;
    this.eventBufferBytes = opts.eventBufferBytes ?? 64 * 1024 * 1024;
    this.maxInbox = opts.maxInbox ?? 1000;
    this.budgets = { ...DEFAULT_TASK_BUDGETS, ...opts.budgets };
    this.retention = {
      defaultMs: opts.retention?.defaultMs ?? DEFAULT_RETENTION_MS,
      byNamespace: opts.retention?.byNamespace ?? {},
    };
    const overrides =
      Object.keys(this.retention.byNamespace).length > 0 ? JSON.stringify(this.retention.byNamespace) : '';
    this.retentionArgs = [this.retention.defaultMs, overrides];
    if (opts.group !== undefined && opts.group !== '' && !GROUP.test(opts.group))
      throw new TypeError(`group '${opts.group}' must match ${GROUP}`);
    this.group = opts.group ?? '';
    this.serves = opts.serves ? [...opts.serves].sort() : null;
  }

  /** A fresh lease token of this store's worker group: 'g=<group>|' in front tells the scripts its keys. */
  token(workerId: string, nonce: string): string {
    return this.group ? `g=${this.group}|${workerId}:${nonce}` : `${workerId}:${nonce}`;
  }

  /**
   * Say which coroutines this worker runs: each name's last-seen time in the deployment's catalog, which
   * the api reads to accept a submission and task views read to say a task waits for a worker.
   */
  async announce(now = Date.now()): Promise<void> {
    if (!this.serves || this.serves.length === 0) return;
    await this.redis.hset(this.keys.coroutines, ...this.serves.flatMap((name) => [name, now]));
  }

  /** The deployment's name in Redis (what every key starts with); BullMQ queue names derive from it. */
  get prefix(): string {
    return this.keys.prefix;
  }

  get partitions(): number {
    return this.keys.partitions;
  }

  /** Record the partition count and tags on first use; refuse to run with others (tasks would be lost). */
  async init(): Promise<void> {
    const meta = this.keys.meta;
    // a deployment from before PARTITION_TAGS (partitions recorded, tags not) has plain tags
    const [had, hadTags] = await Promise.all([
      this.redis.hexists(meta, 'partitions'),
      this.redis.hexists(meta, 'tags'),
    ]);
    if (had && !hadTags) await this.redis.hsetnx(meta, 'tags', 'plain');
    await this.redis
      .multi()
      .hsetnx(meta, 'partitions', this.keys.partitions)
      .hsetnx(meta, 'tags', this.keys.partitionTags)
      .exec();
    const [partitions, tags] = await this.redis.hmget(meta, 'partitions', 'tags');
    const stored = Number(partitions);
    if (stored !== this.keys.partitions) {
      throw new Error(
        `this Redis holds tasks in ${stored} partitions; configured with ${this.keys.partitions} (set PARTITIONS=${stored})`,
      );
    }
    if (tags !== this.keys.partitionTags) {
      throw new Error(
        `this Redis holds tasks under '${tags}' partition tags; configured with '${this.keys.partitionTags}' (set PARTITION_TAGS=${tags})`,
      );
    }
  }

  partitionOf(id: string): number {
    return partitionOf(id, this.keys.partitions);
  }

  /** Definitions are immutable and stored once by content hash. */
  async putDefinition(hash: string, text: string): Promise<void> {
    await this.redis.set(this.keys.definition(hash), text, 'NX');
  }

  /** Many definitions in one round trip (a fork's branches). */
  async putDefinitions(byHash: Map<string, string>): Promise<void> {
    if (byHash.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [hash, text] of byHash) pipeline.set(this.keys.definition(hash), text, 'NX');
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  async getDefinition(hash: string): Promise<string | null> {
    return this.redis.get(this.keys.definition(hash));
  }

  /**
   * Create tasks (grouped by partition, a script call per few thousand) and wake their owners. A task's
   * `requestHash` is kept with it (see `TaskReader.requestHash`).
   */
  async create(tasks: (NewTask & { requestHash?: string })[], now = Date.now()): Promise<boolean[]> {
    return (await this.createThen(tasks, now)).created;
  }

  /**
   * `create`, then the commands `then` adds, answered in `after` (each `[error, reply]`). They go in the
   * same pipeline, after the scripts (a read of what was just written costs no extra round trip), unless a
   * task waits for a concurrency slot: then they run once the slot is taken, as a pipeline of their own.
   */
  async createThen(
    tasks: (NewTask & { requestHash?: string })[],
    now = Date.now(),
    then?: (pipeline: ChainableCommander) => void,
  ): Promise<{ created: boolean[]; after: [Error | null, unknown][] }> {
    const groups = new Map<number, { index: number; task: NewTask & { requestHash?: string } }[]>();
    tasks.forEach((task, index) => {
      const p = this.partitionOf(task.id);
      let g = groups.get(p);
      if (!g) groups.set(p, (g = []));
      g.push({ index, task });
    });
    const created: boolean[] = new Array(tasks.length).fill(false);
    const pipeline = this.redis.pipeline();
    const order: { index: number }[][] = [];
    for (const [p, group] of groups) {
      for (let i = 0; i < group.length; i += CREATE_CHUNK) {
        const chunk = group.slice(i, i + CREATE_CHUNK);
        const payload = chunk.map(({ task: t }) => ({
          id: t.id,
          ns: t.namespace,
          kind: t.kind === 'coroutine' ? 'c' : 'd',
          name: t.name,
          in: JSON.stringify(t.input ?? null),
          ...(t.definitionHash ? { def: t.definitionHash } : {}),
          ...(t.version ? { cv: t.version } : {}),
          ...(t.patches ? { pt: t.patches } : {}),
          ...(t.requestHash ? { rh: t.requestHash } : {}),
          ...(t.scheduleId ? { sc: t.scheduleId } : {}),
          ...(t.batchId ? { b: t.batchId } : {}),
          ...(t.parent
            ? { par: t.parent.id, pseq: t.parent.seq, pidx: t.parent.index, dp: t.parent.depth, rt: t.parent.root }
            : {}),
          ...(t.fresh ? {} : { c: 1 }),
          ...(t.rerun ? { ro: t.rerun.of, jr: t.rerun.journal } : {}),
          ...(t.slot ? { cc: t.slot.prefix } : {}),
          ...(t.priority ? { pr: t.priority } : {}),
        }));
        (pipeline as ScriptedPipeline).yf_create(this.keys.partition(p), now, JSON.stringify(payload));
        order.push(chunk);
      }
      pipeline.publish(this.keys.wakeChannel, String(p));
    }
    const inline = then !== undefined && !tasks.some((t) => t.slot);
    const ours = pipeline.length;
    if (inline) then(pipeline);
    const all = (await pipeline.exec()) ?? [];
    const results = all.slice(0, ours);
    let k = 0;
    for (const [err, res] of results) {
      if (err) throw err;
      if (Array.isArray(res)) {
        const chunk = order[k++];
        (res as number[]).forEach((v, j) => (created[chunk[j].index] = v === 1));
      }
    }
    const limited = tasks.filter((t, i) => t.slot && created[i]);
    if (limited.length > 0)
      await this.acquire(
        limited.map((t) => ({ id: t.id, ...t.slot! })),
        now,
      );
    let after = all.slice(ours);
    if (then && !inline) {
      const later = this.redis.pipeline();
      then(later);
      after = (await later.exec()) ?? [];
    }
    return { created, after };
  }

  /**
   * Take a concurrency slot for each task (in order: the line is FIFO), and admit those that got one.
   * A task that waits in line is admitted when a holder's end releases its slot (`releaseSlot`).
   */
  async acquire(tasks: { id: string; prefix: string; limit: number }[], now = Date.now()): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const t of tasks) (pipeline as ScriptedPipeline).yf_slot(t.prefix, 'acquire', t.id, t.limit);
    const results = (await pipeline.exec()) ?? [];
    const got: string[] = [];
    results.forEach(([err, r], i) => {
      if (err) throw err;
      if (Number(r) === 1) got.push(tasks[i].id);
    });
    await this.admit(got, now);
  }

  /** Release a task's slot (idempotent); the next in line are admitted. Returns them. */
  async releaseSlot(prefix: string, id: string, now = Date.now()): Promise<string[]> {
    const given = (await this.redis.yf_slot(prefix, 'release', id, 0)) as string[];
    await this.admit(given, now);
    return given;
  }

  private async admit(ids: string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    const woken = new Set<number>();
    for (const id of ids) {
      (pipeline as ScriptedPipeline).yf_admit(this.keys.partitionOfTask(id), id, now);
      woken.add(this.partitionOf(id));
    }
    for (const p of woken) pipeline.publish(this.keys.wakeChannel, String(p));
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  async claim(partition: number, token: string, limit: number, now = Date.now()): Promise<Claim | null> {
    const raw = (await this.redis.yf_claim(
      this.keys.partition(partition),
      now,
      limit,
      token,
      this.serves ? this.serves.join(',') : '',
    )) as (string | number)[];
    if (raw[0] === -2) return null;
    const tasks: ClaimedTask[] = [];
    const buffered: { task: ClaimedTask; id: string }[] = [];
    for (const r of decodeRecords('claim', raw, 2)) {
      const res = r.resolution;
      const entry =
        res === 'start' || res === 'perform'
          ? null
          : (JSON.parse(res) as Pick<JournalEntry, 'r' | 'e'> & { ev?: string });
      const task: ClaimedTask = {
        id: r.id,
        kind: r.kind === 'c' ? 'coroutine' : 'definition',
        name: r.name,
        definitionHash: r.definition,
        ...(r.version === '' ? {} : { version: Number(r.version) }),
        patches: r.patches === '' ? {} : (JSON.parse(r.patches) as Record<string, boolean>),
        input: JSON.parse(r.input) as Json,
        seq: Number(r.seq),
        waitKind: r.waitKind,
        wait: r.wait,
        resolution: entry ? { type: 'result', entry } : { type: res as 'start' | 'perform' },
        dueAt: r.due === '' ? null : Number(r.due),
        suspendedAt: Number(r.lastAt),
        startedAt: Number(r.startedAt),
        createdAt: Number(r.createdAt),
        namespace: r.namespace,
      };
      if (entry?.ev !== undefined) buffered.push({ task, id: entry.ev });
      tasks.push(task);
    }
    if (buffered.length > 0) await this.fetchBufferedEvents(buffered);
    return { nextDue: raw[0] === -1 ? null : Number(raw[0]), tasks, parked: Number(raw[1]) };
  }

  /**
   * A buffered event reaches its task as a reference ({ ev: id }): fetch the bodies, one MGET per namespace
   * (a namespace's bodies share a slot). A body gone meanwhile (past its window and grace) is a 410 error
   * thrown in at the wait.
   */
  private async fetchBufferedEvents(buffered: { task: ClaimedTask; id: string }[]): Promise<void> {
    const byNamespace = new Map<string, { task: ClaimedTask; id: string }[]>();
    for (const b of buffered) byNamespace.set(b.task.namespace, [...(byNamespace.get(b.task.namespace) ?? []), b]);
    await Promise.all(
      [...byNamespace].map(async ([ns, list]) => {
        const bodies = await this.redis.mget(...list.map((b) => this.keys.eventBody(ns, b.id)));
        list.forEach(({ task, id }, i) => {
          const body = bodies[i];
          task.resolution = {
            type: 'result',
            entry: body
              ? { r: JSON.parse(body) as Json }
              : {
                  e: {
                    type: ERROR_TYPES.runtime,
                    status: 410,
                    title: 'Event expired',
                    detail: `the buffered event ${id} expired before the task reached its wait`,
                  },
                },
          };
        });
      }),
    );
  }

  /**
   * Per op: 0 skipped, 1 applied, 2 applied and due at once, 3 the task faulted instead (over a budget);
   * null when the token no longer owns the partition.
   */
  async writeback(partition: number, token: string, ops: WritebackOp[], now = Date.now()): Promise<number[] | null> {
    if (ops.length === 0) return [];
    const raw = (await this.redis.yf_writeback(
      this.keys.partition(partition),
      now,
      token,
      this.keys.notifyChannel,
      JSON.stringify(ops),
      this.budgets.steps,
      this.budgets.traceEntries,
      this.budgets.bytes,
      ...this.retentionArgs,
    )) as number[];
    if (raw[0] === -2) return null;
    return raw;
  }

  /**
   * Resolve the IO effect a task waits on at `seq` (exactly once), or with null only release it from the
   * active set. 1 applied, 0 it already had its result, -1 it no longer waits there (cancelled, moved on).
   */
  async resolve(
    id: string,
    seq: number,
    entry: Pick<JournalEntry, 'r' | 'e'> | null,
    now = Date.now(),
  ): Promise<number> {
    const p = this.partitionOf(id);
    const res = Number(
      await this.redis.yf_resolve(this.keys.partition(p), id, seq, entry ? JSON.stringify(entry) : '', now),
    );
    if (res === 1 && entry) await this.redis.publish(this.keys.wakeChannel, String(p));
    return res;
  }

  /** A task's place in its tree of spawns: its depth (0 for a task nobody spawned) and its root's id. */
  async lineage(id: string): Promise<{ depth: number; root: string }> {
    const [dp, rt] = await this.redis.hmget(this.keys.task(id), F.depth, F.root);
    return { depth: Number(dp ?? 0), root: rt ?? id };
  }

  /** Count a spawn's children against its root's descendants, once per spawn; returns the new total. */
  async countDescendants(root: string, spawn: string, children: number, ttlMs = 30 * 24 * 3600_000): Promise<number> {
    return Number(await this.redis.yf_descend(this.keys.partitionOfTask(root), root, spawn, children, ttlMs));
  }

  /** Returns 0 kept, 1 parent woken, 2 parent woken by the first child (cancel the others), and the child count. */
  async deliverChild(
    parentId: string,
    seq: number,
    index: number,
    result: Json,
    now = Date.now(),
  ): Promise<{ code: number; children: number }> {
    const p = this.partitionOf(parentId);
    const [code, children] = (await this.redis.yf_child(
      this.keys.partition(p),
      parentId,
      seq,
      index,
      JSON.stringify(result),
      now,
    )) as number[];
    if (code > 0) await this.redis.publish(this.keys.wakeChannel, String(p));
    return { code, children };
  }

  /**
   * Many children's ends in one round trip (pipelined, applied in order): per delivery its code and child
   * count as `deliverChild` answers, or the error its script raised. Each woken parent's owner is woken once.
   */
  async deliverChildren(
    deliveries: { parent: string; seq: number; index: number; result: Json }[],
    now = Date.now(),
  ): Promise<({ code: number; children: number } | Error)[]> {
    if (deliveries.length === 0) return [];
    const pipeline = this.redis.pipeline() as ScriptedPipeline;
    for (const d of deliveries)
      pipeline.yf_child(this.keys.partitionOfTask(d.parent), d.parent, d.seq, d.index, JSON.stringify(d.result), now);
    const replies = (await pipeline.exec()) ?? [];
    const woken = new Set<number>();
    const out = replies.map(([err, res], i) => {
      if (err) return err;
      const [code, children] = res as number[];
      if (code > 0) woken.add(this.partitionOf(deliveries[i].parent));
      return { code, children };
    });
    if (woken.size > 0) {
      const wake = this.redis.pipeline();
      for (const p of woken) wake.publish(this.keys.wakeChannel, String(p));
      await wake.exec();
    }
    return out;
  }

  async createBatch(namespace: string, id: string, taskIds: string[], now = Date.now()): Promise<void> {
    const pipeline = this.redis.pipeline();
    pipeline.hset(this.keys.batch(id), 'ns', namespace, 'total', taskIds.length, 'ca', now);
    for (let i = 0; i < taskIds.length; i += 5000)
      pipeline.rpush(this.keys.batchTasks(id), ...taskIds.slice(i, i + 5000));
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  /** A task's status and when it finished (ms; null while it has not), both null for an unknown task. */
  async ended(id: string): Promise<{ status: string | null; finishedAt: number | null }> {
    const [st, fa] = await this.redis.hmget(this.keys.task(id), 'st', 'fa');
    return { status: st, finishedAt: fa ? Number(fa) : null };
  }

  /** A task's status and how many sent values it has received (a sender's ticket is answered at that count). */
  async received(id: string): Promise<{ status: string | null; received: number }> {
    const [status, rx] = await this.redis.hmget(this.keys.task(id), F.status, F.received);
    return { status, received: Number(rx ?? 0) };
  }

  /** Tasks by status, over every partition and namespace (for /metrics). */
  async counts(): Promise<Record<string, number>> {
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.partitions; p++) pipeline.hgetall(`${this.keys.partition(p)}cnt`);
    const out: Record<string, number> = {};
    for (const [err, h] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      for (const [k, v] of Object.entries(h as Record<string, string>)) out[k] = (out[k] ?? 0) + Number(v);
    }
    return out;
  }

  async send(namespace: string, id: string, value: Json, now = Date.now()): Promise<SendResult> {
    const p = this.partitionOf(id);
    const raw = (await this.redis.yf_send(
      this.keys.partition(p),
      id,
      JSON.stringify(value ?? null),
      now,
      namespace,
      this.maxInbox,
    )) as (string | number)[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === -3) throw new LimitError(`task ${id} already holds ${this.maxInbox} values not yet received`);
    const result: SendResult = {
      accepted: raw[0] === 1,
      status: String(raw[1]),
      waitKind: String(raw[2]),
      seq: Number(raw[3]),
      position: Number(raw[4]),
      ticket: Number(raw[5] ?? 0),
    };
    if (result.accepted && result.status === 'suspended') await this.redis.publish(this.keys.wakeChannel, String(p));
    return result;
  }

  /**
   * Cancel a task (its coroutine is closed: finally blocks run), or with `terminate` end it the same way
   * without closing it (and terminate its children); returns the status it had. Throws when it already ended.
   */
  async cancel(namespace: string | null, id: string, now = Date.now(), terminate = false): Promise<string> {
    const p = this.partitionOf(id);
    const raw = (await this.redis.yf_cancel(
      this.keys.partition(p),
      id,
      now,
      namespace ?? '',
      this.keys.notifyChannel,
      terminate ? '1' : '0',
      ...this.retentionArgs,
    )) as (string | number)[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === 0) throw new ConflictError(`task ${id} already ended: it is ${raw[1]}`);
    await this.redis.publish(this.keys.wakeChannel, String(p)); // its owner carries out the outbox
    return String(raw[1]);
  }

  /**
   * Remove a finished task at once, with everything kept for it (expire-1.lua); throws NotFoundError when
   * there is no such task in the namespace, ConflictError when it has not finished.
   */
  async remove(namespace: string, id: string): Promise<void> {
    const raw = (await this.redis.yf_expire(this.keys.partitionOfTask(id), 'delete', id, namespace)) as (
      string | number
    )[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === 0)
      throw new ConflictError(`task ${id} has not finished: it is ${raw[1]} (cancel or terminate it first)`);
    await this.unlink(raw.slice(1) as string[]);
  }

  /**
   * Remove up to `max` of a partition's tasks whose retention has passed (the owner's timer calls it);
   * null when `token` no longer owns the partition.
   */
  async sweep(partition: number, token: string, max: number, now = Date.now()): Promise<Sweep | null> {
    const raw = (await this.redis.yf_expire(this.keys.partition(partition), 'sweep', token, now, max)) as (
      string | number
    )[];
    if (raw[0] === -2) return null;
    await this.unlink(raw.slice(2) as string[]);
    return { removed: Number(raw[0]), next: Number(raw[1]) < 0 ? null : Number(raw[1]) };
  }

  /**
   * What a removal leaves in other slots: a rerun comes off its original's reruns list; a batch none of
   * whose tasks is left in any partition loses its record and id list. Best effort, after the removal: a
   * crash in between leaves a rerun's id listed (its GET answers 404) or a batch record without tasks.
   */
  private async unlink(links: string[]): Promise<void> {
    if (links.length === 0) return;
    const batches = new Set<string>();
    const pipeline = this.redis.pipeline();
    for (const link of links) {
      const [kind, a, b] = link.split(' ');
      if (kind === 'r') pipeline.lrem(`${this.keys.partitionOfTask(a)}rr:${a}`, 0, b);
      else batches.add(a);
    }
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    for (const batch of batches) {
      const check = this.redis.pipeline();
      for (let p = 0; p < this.partitions; p++) check.exists(`${this.keys.partition(p)}bt:${batch}`);
      const left = ((await check.exec()) ?? []).reduce((n, [err, r]) => (err ? n + 1 : n + Number(r)), 0);
      // two keys of two slots (a cluster refuses one DEL of both): one DEL each, in one pipeline
      if (left === 0) await this.redis.pipeline().del(this.keys.batch(batch)).del(this.keys.batchTasks(batch)).exec();
    }
  }

  /** Pause a task (it pauses at its next suspension if running); throws when it ended or is paused already. */
  async pause(namespace: string, id: string, note = '', now = Date.now()): Promise<string> {
    const raw = (await this.redis.yf_pause(this.keys.partitionOfTask(id), id, now, namespace, 'pause', note)) as (
      string | number
    )[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === 0) throw new ConflictError(`task ${id} already ended: it is ${raw[1]}`);
    if (raw[0] === -4) throw new ConflictError(`task ${id} is already ${raw[1]}`);
    return String(raw[1]);
  }

  /** Resume a paused task: what it waits for (a due timer, a value, an event) resumes it at once. */
  async resume(namespace: string, id: string, now = Date.now()): Promise<string> {
    const p = this.partitionOf(id);
    const raw = (await this.redis.yf_pause(this.keys.partition(p), id, now, namespace, 'resume', '')) as (
      string | number
    )[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === 0) throw new ConflictError(`task ${id} already ended: it is ${raw[1]}`);
    if (raw[0] === -4) throw new ConflictError(`task ${id} is not paused: it is ${raw[1]}`);
    if (raw[2] !== undefined && Number(raw[2]) >= 0) await this.redis.publish(this.keys.wakeChannel, String(p));
    return String(raw[1]);
  }

  /**
   * Rerun a task as a new one linked to it: the same coroutine or definition version, `input` (the old
   * input when undefined), and the first `fromStep` entries of the old journal, which the new task replays
   * before it runs on (a DSL task: `fromTask`, the first step in which that task of the workflow started).
   * The old task lists its reruns (a second call on its own slot: a crash between the two leaves the new
   * task's `rerunOf` as the link). Returns the new task's id.
   */
  async rerun(
    namespace: string,
    id: string,
    opts: { fromStep?: number; fromTask?: string; input?: Json; slotFor?: (t: NewTask) => Promise<NewTask['slot']> },
    newId: string,
    now = Date.now(),
  ): Promise<string> {
    const [st, ns, kind, name, def, input, cv, pt] = await this.redis.hmget(
      this.keys.task(id),
      F.status,
      F.namespace,
      F.kind,
      F.name,
      F.definition,
      F.input,
      F.version,
      F.patches,
    );
    if (!st || ns !== namespace) throw new NotFoundError(`task ${id}`);
    const journal = await this.redis.lrange(this.keys.journal(id), 0, -1);
    let from = opts.fromStep ?? 0;
    if (opts.fromTask !== undefined) {
      if (kind !== 'd')
        throw new ConflictError(`task ${id} runs a coroutine: rerun it from a step (fromStep), not from a task`);
      from = await this.stepOfTask(id, opts.fromTask, journal);
    }
    if (from > journal.length)
      throw new ConflictError(`task ${id} has ${journal.length} journaled steps: it cannot be rerun from step ${from}`);
    const task: NewTask = {
      id: newId,
      namespace,
      kind: kind === 'c' ? 'coroutine' : 'definition',
      name: name ?? '',
      input: opts.input === undefined ? (JSON.parse(input ?? 'null') as Json) : opts.input,
      ...(def ? { definitionHash: def } : {}),
      // the same version, and the decisions its replayed prefix made
      ...(cv ? { version: Number(cv) } : {}),
      ...(pt ? { patches: pt } : {}),
      fresh: true,
      rerun: { of: id, journal: journal.slice(0, from) },
    };
    const slot = await opts.slotFor?.(task);
    await this.create([slot ? { ...task, slot } : task], now);
    const rk = `${this.keys.partitionOfTask(id)}rr:${id}`;
    await this.redis.multi().rpush(rk, newId).ltrim(rk, -100, -1).hincrby(this.keys.task(id), F.reruns, 1).exec();
    return newId;
  }

  /**
   * The journal prefix before a DSL task started: the entries whose step's clock (due time, else resume
   * time) is before the trace's first 'started' record of that task, and the one that began its step.
   */
  private async stepOfTask(id: string, task: string, journal: string[]): Promise<number> {
    const trace = await this.redis.lrange(this.keys.trace(id), 0, -1);
    const started = trace
      .map((t) => JSON.parse(t) as { task?: string; phase?: string; at?: number })
      .find((t) => t.task === task && t.phase === 'started');
    if (!started || started.at === undefined)
      throw new ConflictError(`task ${id} never started a task named '${task}'`);
    const at = started.at;
    let before = 0;
    let began = 0;
    for (const text of journal) {
      const e = JSON.parse(text) as JournalEntry & { d?: number };
      const clock = e.d ?? e.t;
      if (clock < at) before++;
      else if (clock === at) began = 1;
    }
    return before + began;
  }

  /**
   * Retry a faulted task from the step that failed (retry-1.lua): the journal before it is kept and replayed.
   * When the fault journaled the failing step's entry, it is taken off here and what it held decides how the
   * step runs again: an error from an effect performs the effect again; a value received goes back into
   * the inbox; any other result is sent in again. Returns the status the task is in now.
   */
  async retry(namespace: string, id: string, now = Date.now()): Promise<string> {
    const key = this.keys.partitionOfTask(id);
    for (let attempt = 0; ; attempt++) {
      const [seq, fe, wk] = await this.redis.hmget(this.keys.task(id), F.seq, F.faultEntry, F.waitKind);
      let res = '';
      let inbox = '';
      if (fe) {
        const last = JSON.parse((await this.redis.lindex(this.keys.journal(id), -1)) ?? '{}') as JournalEntry;
        if (last.e === undefined && wk === 'receive') inbox = JSON.stringify(last.r ?? null);
        else if (last.e === undefined && wk !== 'sleep' && wk !== 'sleepUntil')
          res = JSON.stringify({ r: last.r ?? null });
      }
      const raw = (await this.redis.yf_retry(
        key,
        id,
        now,
        namespace,
        Number(seq ?? 0),
        fe ? '1' : '0',
        res,
        inbox,
      )) as (string | number)[];
      if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
      if (raw[0] === 0) throw new ConflictError(`task ${id} is not faulted: it is ${raw[1]}`);
      if (raw[0] === -5) throw new ConflictError(`task ${id} is a child task: retry its parent`);
      if (raw[0] === 1) {
        // under a concurrency limit it takes a slot again first (its fault released the one it had)
        if (raw[2]) {
          const limit = Number((await this.redis.get(`${String(raw[2])}l`)) ?? 1);
          await this.acquire([{ id, prefix: String(raw[2]), limit }], now);
        } else await this.redis.publish(this.keys.wakeChannel, String(this.partitionOf(id)));
        return String(raw[1]);
      }
      if (attempt >= 2) throw new ConflictError(`task ${id} changed while it was being retried; try again`);
    }
  }

  /**
   * Publish an event: its body is kept once for the namespace (buffer-1.lua), then every partition wakes
   * its waiting tasks of the namespace and buffers a reference (event-1.lua). Idempotent per event id.
   * Refused (EventBufferFullError) when the namespace's buffered bytes would pass `eventBufferBytes`.
   */
  async publishEvent(namespace: string, event: StoredEvent, now = Date.now()): Promise<number> {
    const text = JSON.stringify(event);
    // bodies outlive their references by a grace period, so a reference taken at the end of the window resolves
    const keepMs = this.eventBufferMs + Math.min(this.eventBufferMs, 10_000);
    const kept = (await this.redis.yf_buffer(
      this.keys.events(namespace),
      event.id,
      text,
      now,
      this.eventBufferMs,
      keepMs,
      this.eventBufferBytes,
    )) as number[];
    if (kept[0] === -1) {
      throw new EventBufferFullError(
        `namespace ${namespace} has ${kept[1]} bytes of events buffered; this one (${Buffer.byteLength(text)} bytes) would pass the cap of ${this.eventBufferBytes}`,
        Number(kept[2]),
      );
    }
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.partitions; p++) {
      (pipeline as ScriptedPipeline).yf_event(
        this.keys.partition(p),
        namespace,
        event.type,
        text,
        event.id,
        now,
        this.eventBufferMs,
        this.eventBufferMax,
      );
    }
    const results = (await pipeline.exec()) ?? [];
    let woken = 0;
    const wake = this.redis.pipeline();
    results.forEach(([err, n], p) => {
      if (err) throw err;
      if (Number(n) > 0) {
        woken += Number(n);
        wake.publish(this.keys.wakeChannel, String(p));
      }
    });
    if (woken > 0) await wake.exec();
    return woken;
  }

  /** Take, renew or release a partition's lease. Returns recovered task count when taken, -1 kept/released, -2 not ours. */
  async own(
    partition: number,
    token: string,
    leaseMs: number,
    mode: 'take' | 'renew' | 'release',
    now = Date.now(),
  ): Promise<number> {
    return Number(await this.redis.yf_own(this.keys.partition(partition), token, leaseMs, now, mode));
  }

  /** Up to `max` items at the head of a partition's outbox; null when `token` no longer owns it. */
  async peekOutbox(partition: number, token: string, max: number): Promise<string[] | null> {
    const raw = (await this.redis.yf_outbox(this.keys.partition(partition), token, 'peek', max)) as (string | number)[];
    return raw[0] === -2 ? null : (raw.slice(1) as string[]);
  }

  /**
   * Remove the items `peekOutbox` answered, once they are applied: 1 removed, 0 the head changed meanwhile
   * (another drain removed them: read again), -2 the token no longer owns the partition.
   */
  async ackOutbox(partition: number, token: string, items: string[]): Promise<number> {
    const sha = createHash('sha1').update(items.join('\n')).digest('hex');
    const raw = (await this.redis.yf_outbox(
      this.keys.partition(partition),
      token,
      'ack',
      items.length,
      sha,
    )) as number[];
    return raw[0];
  }

  /** Keep an outbox item that cannot be applied, with why, in the partition's dead-letter list (the latest 10,000). */
  async deadLetter(partition: number, item: string, reason: string, now = Date.now()): Promise<void> {
    const key = `${this.keys.partition(partition)}obx`;
    await this.redis
      .pipeline()
      .rpush(key, JSON.stringify({ at: now, reason, item }))
      .ltrim(key, -10_000, -1)
      .exec();
  }

  /** What a closing coroutine needs to be rebuilt, or null when the task is not cancelled or already closed. */
  async closing(id: string): Promise<ClaimedTask | null> {
    const f = decodeRead('closing', await this.redis.hmget(this.keys.task(id), ...readFields('closing')));
    if (f.status !== 'cancelled' || f.closed) return null;
    return {
      id,
      kind: f.kind === 'c' ? 'coroutine' : 'definition',
      name: f.name ?? '',
      definitionHash: f.definition ?? '',
      version: f.version ? Number(f.version) : 1, // it ran: on 1, if it recorded none
      patches: f.patches ? (JSON.parse(f.patches) as Record<string, boolean>) : {},
      input: JSON.parse(f.input ?? 'null') as Json,
      seq: Number(f.seq ?? 0),
      waitKind: '',
      wait: '',
      resolution: { type: 'start' },
      dueAt: null,
      suspendedAt: 0,
      startedAt: Number(f.startedAt ?? f.createdAt),
      createdAt: Number(f.admittedAt ?? f.createdAt),
      namespace: f.namespace ?? '',
    };
  }

  /** Append a cancelled coroutine's closing trace, once. */
  async closed(id: string, records: string[]): Promise<boolean> {
    return (await this.redis.yf_close(this.keys.partitionOfTask(id), id, ...records)) === 1;
  }

  async journal(id: string): Promise<JournalEntry[]> {
    const items = await this.redis.lrange(this.keys.journal(id), 0, -1);
    return items.map((s) => JSON.parse(s) as JournalEntry);
  }

  /** Journals of many tasks in one round trip (replays after a takeover). */
  async journals(ids: string[]): Promise<JournalEntry[][]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.lrange(this.keys.journal(id), 0, -1);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, items]) => {
      if (err) throw err;
      return (items as string[]).map((s) => JSON.parse(s) as JournalEntry);
    });
  }
}
