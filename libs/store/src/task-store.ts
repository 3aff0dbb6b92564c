import type Redis from 'ioredis';
import type { Json, JournalEntry } from '@yieldflow/runtime';
import { ConflictError, LimitError, NotFoundError } from './errors';
import { Keys, partitionOf } from './keys';
import { type ScriptedPipeline, type ScriptedRedis, withScripts } from './scripts';
import type { Claim, ClaimedTask, NewTask, SendResult, StoreOptions, StoredEvent, WritebackOp } from './types';

const CREATE_CHUNK = 2000;

/**
 * Every state change of a task, each one atomic script on the task's partition. Knows Redis and the
 * key layout; knows nothing of HTTP or of how coroutines run.
 */
export class TaskStore {
  readonly keys: Keys;
  readonly redis: ScriptedRedis;
  private readonly eventBufferMs: number;
  private readonly eventBufferMax: number;
  private readonly maxInbox: number;

  constructor(redis: Redis, opts: StoreOptions = {}) {
    this.redis = withScripts(redis);
    this.keys = new Keys(opts.prefix ?? 'yf', opts.partitions ?? 16);
    this.eventBufferMs = opts.eventBufferMs ?? 60_000;
    this.eventBufferMax = opts.eventBufferMax ?? 1000;
    this.maxInbox = opts.maxInbox ?? 1000;
  }

  get partitions(): number {
    return this.keys.partitions;
  }

  /** Record the partition count on first use; refuse to run with another one (tasks would be lost). */
  async init(): Promise<void> {
    await this.redis.hsetnx(this.keys.meta, 'partitions', this.keys.partitions);
    const stored = Number(await this.redis.hget(this.keys.meta, 'partitions'));
    if (stored !== this.keys.partitions) {
      throw new Error(`this Redis holds tasks in ${stored} partitions; configured with ${this.keys.partitions} (set PARTITIONS=${stored})`);
    }
  }

  partitionOf(id: string): number {
    return partitionOf(id, this.keys.partitions);
  }

  /** Definitions are immutable and stored once by content hash. */
  async putDefinition(hash: string, text: string): Promise<void> {
    await this.redis.set(this.keys.definition(hash), text, 'NX');
  }

  async getDefinition(hash: string): Promise<string | null> {
    return this.redis.get(this.keys.definition(hash));
  }

  /**
   * Create tasks (grouped by partition, a script call per few thousand) and wake their owners. A task's
   * `requestHash` is kept with it (see `TaskReader.requestHash`).
   */
  async create(tasks: (NewTask & { requestHash?: string })[], now = Date.now()): Promise<boolean[]> {
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
          ...(t.requestHash ? { rh: t.requestHash } : {}),
          ...(t.batchId ? { b: t.batchId } : {}),
          ...(t.parent ? { par: t.parent.id, pseq: t.parent.seq, pidx: t.parent.index } : {}),
          ...(t.fresh ? {} : { c: 1 }),
        }));
        (pipeline as ScriptedPipeline).yf_create(this.keys.partition(p), now, JSON.stringify(payload));
        order.push(chunk);
      }
      pipeline.publish(this.keys.wakeChannel, String(p));
    }
    const results = (await pipeline.exec()) ?? [];
    let k = 0;
    for (const [err, res] of results) {
      if (err) throw err;
      if (Array.isArray(res)) {
        const chunk = order[k++];
        (res as number[]).forEach((v, j) => (created[chunk[j].index] = v === 1));
      }
    }
    return created;
  }

  async claim(partition: number, token: string, limit: number, now = Date.now()): Promise<Claim | null> {
    const raw = (await this.redis.yf_claim(this.keys.partition(partition), now, limit, token)) as (string | number)[];
    if (raw[0] === -2) return null;
    const tasks: ClaimedTask[] = [];
    for (let i = 1; i < raw.length; i += 14) {
      const res = String(raw[i + 8]);
      tasks.push({
        id: String(raw[i]),
        kind: raw[i + 1] === 'c' ? 'coroutine' : 'definition',
        name: String(raw[i + 2]),
        definitionHash: String(raw[i + 3]),
        input: JSON.parse(String(raw[i + 4])) as Json,
        seq: Number(raw[i + 5]),
        waitKind: String(raw[i + 6]),
        wait: String(raw[i + 7]),
        resolution:
          res === 'start' ? { type: 'start' } : res === 'perform' ? { type: 'perform' } : { type: 'result', entry: JSON.parse(res) as Pick<JournalEntry, 'r' | 'e'> },
        dueAt: raw[i + 9] === '' ? null : Number(raw[i + 9]),
        suspendedAt: Number(raw[i + 10]),
        startedAt: Number(raw[i + 11]),
        createdAt: Number(raw[i + 12]),
        namespace: String(raw[i + 13]),
      });
    }
    return { nextDue: raw[0] === -1 ? null : Number(raw[0]), tasks };
  }

  /** Per op: 0 skipped, 1 applied, 2 applied and due at once; null when the token no longer owns the partition. */
  async writeback(partition: number, token: string, ops: WritebackOp[], now = Date.now()): Promise<number[] | null> {
    if (ops.length === 0) return [];
    const raw = (await this.redis.yf_writeback(this.keys.partition(partition), now, token, this.keys.notifyChannel, JSON.stringify(ops))) as number[];
    if (raw[0] === -2) return null;
    return raw;
  }

  /** Resolve the IO effect a task waits on at `seq` (exactly once), or with null only release it from the active set. */
  async resolve(id: string, seq: number, entry: Pick<JournalEntry, 'r' | 'e'> | null, now = Date.now()): Promise<boolean> {
    const p = this.partitionOf(id);
    const res = await this.redis.yf_resolve(this.keys.partition(p), id, seq, entry ? JSON.stringify(entry) : '', now);
    if (res === 1 && entry) await this.redis.publish(this.keys.wakeChannel, String(p));
    return res === 1;
  }

  /** Returns 0 kept, 1 parent woken, 2 parent woken by the first child (cancel the others), and the child count. */
  async deliverChild(parentId: string, seq: number, index: number, result: Json, now = Date.now()): Promise<{ code: number; children: number }> {
    const p = this.partitionOf(parentId);
    const [code, children] = (await this.redis.yf_child(this.keys.partition(p), parentId, seq, index, JSON.stringify(result), now)) as number[];
    if (code > 0) await this.redis.publish(this.keys.wakeChannel, String(p));
    return { code, children };
  }

  async createBatch(namespace: string, id: string, taskIds: string[], now = Date.now()): Promise<void> {
    const pipeline = this.redis.pipeline();
    pipeline.hset(this.keys.batch(id), 'ns', namespace, 'total', taskIds.length, 'ca', now);
    for (let i = 0; i < taskIds.length; i += 5000) pipeline.rpush(this.keys.batchTasks(id), ...taskIds.slice(i, i + 5000));
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  /** Workers whose heartbeat is at most `windowMs` old. */
  async aliveWorkers(windowMs = 5000, now = Date.now()): Promise<number> {
    return this.redis.zcount(this.keys.workers, now - windowMs, '+inf');
  }

  /** A task's status and how many sent values it has received (a sender's ticket is answered at that count). */
  async received(id: string): Promise<{ status: string | null; received: number }> {
    const [status, rx] = await this.redis.hmget(this.keys.task(id), 'st', 'rx');
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
    const raw = (await this.redis.yf_send(this.keys.partition(p), id, JSON.stringify(value ?? null), now, namespace, this.maxInbox)) as (string | number)[];
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

  /** Cancel a task; returns the status it had. Throws when it already ended. */
  async cancel(namespace: string | null, id: string, now = Date.now()): Promise<string> {
    const p = this.partitionOf(id);
    const raw = (await this.redis.yf_cancel(this.keys.partition(p), id, now, namespace ?? '', this.keys.notifyChannel)) as (string | number)[];
    if (raw[0] === -1) throw new NotFoundError(`task ${id}`);
    if (raw[0] === 0) throw new ConflictError(`task ${id} already ended: it is ${raw[1]}`);
    await this.redis.publish(this.keys.wakeChannel, String(p)); // its owner carries out the outbox
    return String(raw[1]);
  }

  /** Publish an event to every partition: waiting tasks of the namespace wake. Idempotent per event id. */
  async publishEvent(namespace: string, event: StoredEvent, now = Date.now()): Promise<number> {
    const text = JSON.stringify(event);
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.partitions; p++) {
      (pipeline as ScriptedPipeline).yf_event(this.keys.partition(p), namespace, event.type, text, event.id, now, this.eventBufferMs, this.eventBufferMax);
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
  async own(partition: number, token: string, leaseMs: number, mode: 'take' | 'renew' | 'release', now = Date.now()): Promise<number> {
    return Number(await this.redis.yf_own(this.keys.partition(partition), token, leaseMs, now, mode));
  }

  /** Peek at up to `max` items of a partition's outbox; `ackOutbox` removes them once done. */
  async peekOutbox(partition: number, max: number): Promise<string[]> {
    return this.redis.lrange(`${this.keys.partition(partition)}ob`, 0, max - 1);
  }

  async ackOutbox(partition: number, count: number): Promise<void> {
    await this.redis.ltrim(`${this.keys.partition(partition)}ob`, count, -1);
  }

  /** What a closing coroutine needs to be rebuilt, or null when the task is not cancelled or already closed. */
  async closing(id: string): Promise<ClaimedTask | null> {
    const f = await this.redis.hmget(this.keys.task(id), 'st', 'cl', 'kind', 'name', 'def', 'in', 'seq', 'sa', 'ca', 'ns');
    if (f[0] !== 'cancelled' || f[1]) return null;
    return {
      id,
      kind: f[2] === 'c' ? 'coroutine' : 'definition',
      name: f[3] ?? '',
      definitionHash: f[4] ?? '',
      input: JSON.parse(f[5] ?? 'null') as Json,
      seq: Number(f[6] ?? 0),
      waitKind: '',
      wait: '',
      resolution: { type: 'start' },
      dueAt: null,
      suspendedAt: 0,
      startedAt: Number(f[7] ?? f[8]),
      createdAt: Number(f[8]),
      namespace: f[9] ?? '',
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
