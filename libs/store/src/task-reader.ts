import type { Json, JournalEntry } from '@yieldflow/runtime';
import { type BatchView, type SuspensionView, TASK_STATUSES, type TaskPage, type TaskStatus, type TaskView } from '@yieldflow/contracts';
import { NotFoundError } from './errors';
import type { TaskStore } from './task-store';

const iso = (ms: string | number | undefined | null): string | undefined =>
  ms === undefined || ms === null || ms === '' ? undefined : new Date(Number(ms)).toISOString();
const parse = (s: string | undefined): Json | undefined => (s === undefined || s === '' ? undefined : (JSON.parse(s) as Json));

interface StoredEntry extends JournalEntry {
  /** suspended at */
  s?: number;
  /** due at */
  d?: number;
  /** label */
  l?: string;
}

/** Reads tasks and batches as the api shows them. */
export class TaskReader {
  constructor(private readonly store: TaskStore) {}

  async get(namespace: string, id: string, opts: { journal?: boolean } = {}): Promise<TaskView> {
    const keys = this.store.keys;
    const pipeline = this.store.redis.pipeline();
    pipeline.hgetall(keys.task(id));
    if (opts.journal !== false) {
      pipeline.lrange(keys.journal(id), 0, -1);
      pipeline.lrange(keys.trace(id), 0, -1);
    }
    const res = (await pipeline.exec()) ?? [];
    // a failed read (Redis unreachable) is an error, not a missing task
    for (const [err] of res) if (err) throw err;
    const h = res[0][1] as Record<string, string>;
    if (!h || !h.st || h.ns !== namespace) throw new NotFoundError(`task ${id}`);
    const journal = opts.journal === false ? [] : ((res[1][1] as string[]) ?? []).map((s) => JSON.parse(s) as StoredEntry);
    const trace = opts.journal === false ? [] : ((res[2][1] as string[]) ?? []).map((s) => JSON.parse(s) as Json);
    return this.view(id, h, journal, trace, Date.now());
  }

  /** The hash of the request that created a task, when it was created with one (null otherwise). */
  async requestHash(namespace: string, id: string): Promise<string | null> {
    const [ns, rh] = await this.store.redis.hmget(this.store.keys.task(id), 'ns', 'rh');
    if (ns !== namespace) throw new NotFoundError(`task ${id}`);
    return rh;
  }

  view(id: string, h: Record<string, string>, journal: StoredEntry[], trace: Json[], now: number): TaskView {
    const status = h.st as TaskStatus;
    const createdAt = Number(h.ca);
    const end = h.fa ? Number(h.fa) : now;
    const since = now - Number(h.la);
    const breakdown = { queuedMs: Number(h.qm ?? 0), runningMs: Number(h.rm ?? 0), suspendedMs: Number(h.sm ?? 0) };
    if (status === 'queued') breakdown.queuedMs += since;
    else if (status === 'running') breakdown.runningMs += since;
    else if (status === 'suspended') breakdown.suspendedMs += since;
    const view: TaskView = {
      id,
      namespace: h.ns,
      status,
      input: parse(h.in) ?? null,
      createdAt: iso(createdAt)!,
      elapsedMs: end - createdAt,
      breakdown,
      steps: Number(h.seq ?? 0),
      suspensions: journal.map((e, step) => suspension(e, step)),
    };
    if (h.kind === 'c') view.coroutine = h.name;
    else view.definition = { hash: h.def, name: h.name };
    if (h.out !== undefined) view.output = parse(h.out);
    if (h.err !== undefined) view.error = parse(h.err);
    if (h.sa) view.startedAt = iso(h.sa);
    if (h.fa) view.finishedAt = iso(h.fa);
    if (h.y !== undefined) view.yielded = parse(h.y);
    if (status === 'suspended' && h.w) {
      view.waitingFor = { kind: h.wk, effect: parse(h.w) ?? null, dueAt: iso(h.due), deadline: iso(h.dl) };
    }
    if (trace.length) view.trace = trace;
    if (h.b) view.batchId = h.b;
    if (h.par) view.parentId = h.par;
    if (h.cl) view.closed = true;
    return view;
  }

  /**
   * A page of a namespace's tasks, newest first, merged across partitions. Each partition's index orders
   * its tasks by "<inverted createdAt>:<id>", so the cursor is such a member and paging is exact.
   */
  async list(namespace: string, q: { status?: TaskStatus; batchId?: string; limit: number; cursor?: string }): Promise<TaskPage> {
    const keys = this.store.keys;
    const items: TaskView[] = [];
    const now = Date.now();
    let cursor = q.cursor;
    let last: string | undefined;
    const window = Math.max(q.limit, 20);
    for (let round = 0; round < 100 && items.length < q.limit; round++) {
      const pipeline = this.store.redis.pipeline();
      for (let p = 0; p < keys.partitions; p++) {
        pipeline.zrangebylex(`${keys.partition(p)}idx:${namespace}`, cursor ? `(${cursor}` : '-', '+', 'LIMIT', 0, window);
      }
      const rows: string[] = [];
      let boundary: string | undefined;
      for (const [err, r] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        const arr = r as string[];
        rows.push(...arr);
        // a partition that filled its window may hold more below its last row: stop there this round
        if (arr.length === window && (boundary === undefined || arr[arr.length - 1] < boundary)) boundary = arr[arr.length - 1];
      }
      if (rows.length === 0) break;
      rows.sort();
      const safe = boundary === undefined ? rows : rows.filter((m) => m <= boundary!);
      const hashes = await this.hashes(safe.map(idOf));
      for (let i = 0; i < safe.length && items.length < q.limit; i++) {
        last = safe[i];
        const h = hashes[i];
        if (!h.st) continue;
        if (q.status && h.st !== q.status) continue;
        if (q.batchId && h.b !== q.batchId) continue;
        items.push(this.view(idOf(safe[i]), h, [], [], now));
      }
      if (boundary === undefined) break;
      cursor = last;
    }
    const page: TaskPage = { items };
    if (items.length === q.limit && last) page.nextCursor = last;
    return page;
  }

  private async hashes(ids: string[]): Promise<Record<string, string>[]> {
    const pipeline = this.store.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.store.keys.task(id));
    return ((await pipeline.exec()) ?? []).map(([err, h]) => {
      if (err) throw err;
      return (h as Record<string, string>) ?? {};
    });
  }

  async batch(namespace: string, id: string): Promise<BatchView> {
    const keys = this.store.keys;
    const meta = await this.store.redis.hgetall(keys.batch(id));
    if (!meta.ns || meta.ns !== namespace) throw new NotFoundError(`batch ${id}`);
    const pipeline = this.store.redis.pipeline();
    for (let p = 0; p < keys.partitions; p++) pipeline.hgetall(`${keys.partition(p)}bt:${id}`);
    const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    let first: number | undefined;
    let last: number | undefined;
    let sum = 0;
    for (const [err, r] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      const h = r as Record<string, string>;
      for (const s of TASK_STATUSES) counts[s] += Number(h[s] ?? 0);
      if (h.first && (first === undefined || Number(h.first) < first)) first = Number(h.first);
      if (h.last && (last === undefined || Number(h.last) > last)) last = Number(h.last);
      sum += Number(h.sum ?? 0);
    }
    const total = Number(meta.total);
    const ended = counts.completed + counts.faulted + counts.cancelled;
    const view: BatchView = { id, namespace, total, counts, createdAt: iso(meta.ca)!, sumElapsedMs: sum };
    if (first !== undefined) view.startedAt = iso(first);
    if (ended === total && last !== undefined) view.finishedAt = iso(last);
    if (first !== undefined) {
      view.wallMs = (ended === total && last !== undefined ? last : Date.now()) - first;
      if (ended === total && view.wallMs > 0) view.speedup = Math.round((sum / view.wallMs) * 1000) / 1000;
    }
    return view;
  }
}

const idOf = (member: string): string => member.slice(member.indexOf(':') + 1);

function suspension(e: StoredEntry, step: number): SuspensionView {
  const v: SuspensionView = { step, kind: e.k, suspendedAt: iso(e.s ?? e.t)!, resumedAt: iso(e.t)! };
  if (e.l !== undefined) v.label = e.l;
  if (e.d !== undefined) {
    v.dueAt = iso(e.d);
    v.lateMs = e.t - e.d;
  }
  if (e.r !== undefined) v.result = e.r;
  if (e.e !== undefined) v.error = e.e as unknown as Json;
  return v;
}
