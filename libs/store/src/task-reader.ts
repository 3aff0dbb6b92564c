import type { Json } from '@yieldflow/runtime';
import {
  type BatchView,
  type EntryPage,
  type SuspensionView,
  TASK_STATUSES,
  type TaskPage,
  type TaskStatus,
  type TaskView,
} from '@yieldflow/contracts';
import { LIVE_MS } from './catalog';
import { NotFoundError } from './errors';
import { type ListQuery, TaskList } from './task-list';
import { internalsOf } from './internal';
import { F, type StoredEntry } from './wire';
import type { TaskStore } from './task-store';
import type { NewTask } from './types';

const iso = (ms: string | number | undefined | null): string | undefined =>
  ms === undefined || ms === null || ms === '' ? undefined : new Date(Number(ms)).toISOString();
const parseJson = (s: string | undefined): Json | undefined =>
  s === undefined || s === '' ? undefined : (JSON.parse(s) as Json);

const toHash = (flat: (string | number)[]): Record<string, string> => {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2)
    h[String(flat[i])] = typeof flat[i + 1] === 'number' ? `${CUT}${flat[i + 1]}` : String(flat[i + 1]);
  return h;
};

/**
 * A page of a list, read in Redis in chunks: entries over ARGV[3] bytes come back as their length (a
 * number), and the page stops before ARGV[4] bytes. 'tail' reads the last ARGV[2] entries (the newest
 * kept), 'head' ARGV[2] entries from index ARGV[1]. Returns { length, index of the first item, items... }.
 */
const PAGE_SCRIPT = `
local n = redis.call('LLEN', KEYS[1])
local from, count, maxv, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tail = ARGV[5] == 'tail'
local lo, hi = from, math.min(n - 1, from + count - 1)
if tail then lo = math.max(0, n - count); hi = n - 1 end
local items, used, edge, full = {}, 0, nil, false
local i = tail and hi or lo
while not full and i >= lo and i <= hi do
  local a, b = i, math.min(hi, i + 7)
  if tail then a, b = math.max(lo, i - 7), i end
  local chunk = redis.call('LRANGE', KEYS[1], a, b)
  local j, stop, step = 1, #chunk, 1
  if tail then j, stop, step = #chunk, 1, -1 end
  while not full and ((step == 1 and j <= stop) or (step == -1 and j >= stop)) do
    local v = chunk[j]
    local len = #v
    if len > maxv then v = len; len = 64 end
    if #items > 0 and used + len > budget then full = true else
      used = used + len
      items[#items + 1] = v
      edge = a + j - 1
      j = j + step
    end
  end
  chunk = nil
  if tail then i = a - 1 else i = b + 1 end
end
local first = lo
if tail then
  first = edge or n
  for x = 1, math.floor(#items / 2) do items[x], items[#items - x + 1] = items[#items - x + 1], items[x] end
end
return { n, first, unpack(items) }
`;

/** The value fields of a task hash, by the name the api fetches each under (GET /v1/tasks/:id/<name>). */
export const TASK_VALUES = {
  input: F.input,
  output: F.output,
  error: F.error,
  yielded: F.yielded,
  effect: F.wait,
} as const;
/**
 * A task hash with each value field (input, output, error, yielded, the effect waited on) over ARGV[1]
 * bytes replaced by its length, so a view never carries it. Returns HGETALL's flat array.
 */
const HASH_SCRIPT = `
local h = redis.call('HGETALL', KEYS[1])
local maxv = tonumber(ARGV[1])
for i = 2, #h, 2 do
  local f = h[i - 1]
  if (${Object.values(TASK_VALUES)
    .map((f) => `f == '${f}'`)
    .join(' or ')}) and #h[i] > maxv then h[i] = #h[i] end
end
return h
`;

export type TaskValueName = keyof typeof TASK_VALUES;
const VALUE_NAMES = Object.fromEntries(Object.entries(TASK_VALUES).map(([name, f]) => [f, name])) as Record<
  string,
  TaskValueName
>;

/** A truncated hash field, as the view's parse sees it: a NUL (never the start of JSON text) and the length. */
const CUT = '\u0000';

export interface ViewLimits {
  /** Entries of each list a task view shows (the latest), and a page's default size (default 100). */
  entries?: number;
  /** An entry larger than this is a marker (default 64 KiB). */
  valueBytes?: number;
  /** Bytes of entries one page carries (default 1 MiB). */
  pageBytes?: number;
}

type ListName = 'suspensions' | 'trace';

/** A list item's suspensions: the latest few, each entry over LIST_VALUE_BYTES a marker (GET the task for more). */
export const LIST_SUSPENSIONS = 5;
const LIST_VALUE_BYTES = 2048;
type PageQuery = { offset?: number; limit?: number };

/** Reads tasks and batches as the api shows them. Lists are read a page at a time, never whole. */
export class TaskReader {
  private readonly limits: Required<ViewLimits>;
  private readonly lister: TaskList;

  constructor(
    private readonly store: TaskStore,
    limits: ViewLimits = {},
  ) {
    this.lister = new TaskList(store);
    this.limits = {
      entries: limits.entries ?? 100,
      valueBytes: limits.valueBytes ?? 64 * 1024,
      pageBytes: limits.pageBytes ?? 1024 * 1024,
    };
    const r = internalsOf(store).redis as unknown as {
      yf_lpage?: unknown;
      defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void;
    };
    if (!r.yf_lpage) r.defineCommand('yf_lpage', { numberOfKeys: 1, lua: PAGE_SCRIPT });
    if (!(r as { yf_hview?: unknown }).yf_hview) r.defineCommand('yf_hview', { numberOfKeys: 1, lua: HASH_SCRIPT });
  }

  /**
   * Create one task and read its view back in the same round trip (`TaskStore.createThen`): whether it
   * was created, and its view without the journal, or null when no task of this namespace has the id.
   */
  async createAndView(
    namespace: string,
    task: NewTask & { requestHash?: string },
  ): Promise<{ created: boolean; view: TaskView | null }> {
    const { created, after } = await this.store.createThen([task], Date.now(), (pipeline) =>
      (pipeline as unknown as { yf_hview(key: string, max: number): void }).yf_hview(
        this.keys.task(task.id),
        this.limits.valueBytes,
      ),
    );
    const [err, raw] = after[0] ?? [new Error('no answer to the read-back'), null];
    if (err) throw err;
    const h = toHash(raw as (string | number)[]);
    const view = h && h.st && h.ns === namespace ? this.view(task.id, h, [], [], Date.now()) : null;
    return { created: created[0], view };
  }

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  /** A task's hash, its large values cut (see HASH_SCRIPT). */
  private async hash(id: string): Promise<Record<string, string>> {
    const redis = this.redis as unknown as { yf_hview(key: string, max: number): Promise<(string | number)[]> };
    return toHash(await redis.yf_hview(this.keys.task(id), this.limits.valueBytes));
  }

  /** One value of a task in full, however large (what a truncated marker's href answers). */
  async value(namespace: string, id: string, name: TaskValueName): Promise<Json> {
    const [ns, text] = await this.redis.hmget(this.keys.task(id), F.namespace, TASK_VALUES[name]);
    if (ns !== namespace) throw new NotFoundError(`task ${id}`);
    if (text === null || text === '') throw new NotFoundError(`${name} of task ${id}`);
    return JSON.parse(text) as Json;
  }

  /**
   * A task as the api shows it: its hash, and (unless `journal: false`) the latest page of its suspensions
   * and of its trace, with where each page starts and how long each list is.
   */
  async get(namespace: string, id: string, opts: { journal?: boolean } = {}): Promise<TaskView> {
    const h = await this.hash(id);
    if (!h || !h[F.status] || h[F.namespace] !== namespace) throw new NotFoundError(`task ${id}`);
    if (opts.journal === false) return this.view(id, h, [], [], Date.now());
    const [suspensions, trace] = await Promise.all([this.readPage(id, 'suspensions'), this.readPage(id, 'trace')]);
    const view = this.view(id, h, [], trace.items as Json[], Date.now());
    if (h[F.reruns]) view.reruns = await this.redis.lrange(`${this.keys.partitionOfTask(id)}rr:${id}`, 0, -1);
    view.suspensions = suspensions.items as SuspensionView[];
    view.suspensionsPage = { offset: suspensions.offset, total: suspensions.total };
    if (trace.total > 0) view.tracePage = { offset: trace.offset, total: trace.total };
    if (view.status === 'queued' && h[F.kind] === 'c')
      await this.waitingForWorker(view, h[F.name], Number(h[F.lastAt] ?? h[F.createdAt]));
    return view;
  }

  /** A queued coroutine task that no live worker runs says so: it waits for a worker with its coroutine. */
  private async waitingForWorker(view: TaskView, name: string, queuedAt: number): Promise<void> {
    const seen = await this.redis.hget(this.keys.coroutines, name);
    if (seen !== null && Date.now() - Number(seen) <= LIVE_MS) return;
    view.waitingFor = {
      kind: 'worker',
      since: new Date(queuedAt).toISOString(),
      effect: { coroutine: name, lastSeenAt: seen === null ? null : new Date(Number(seen)).toISOString() },
      reason: `a worker with coroutine '${name}' (${seen === null ? 'none has run it yet' : 'none is running'})`,
    };
  }

  /** A page of a task's suspensions: from `offset`, or the latest when offset is omitted. */
  async suspensions(namespace: string, id: string, q: PageQuery): Promise<EntryPage<SuspensionView>> {
    await this.owned(namespace, id);
    return (await this.readPage(id, 'suspensions', q)) as EntryPage<SuspensionView>;
  }

  /** A page of a task's trace: from `offset`, or the latest when offset is omitted. */
  async trace(namespace: string, id: string, q: PageQuery): Promise<EntryPage<Json>> {
    await this.owned(namespace, id);
    return (await this.readPage(id, 'trace', q)) as EntryPage<Json>;
  }

  /** One suspension in full, however large. */
  async suspension(namespace: string, id: string, step: number): Promise<SuspensionView> {
    return suspension(JSON.parse(await this.entry(namespace, id, 'suspensions', step)) as StoredEntry, step);
  }

  /** One trace entry in full, however large. */
  async traceEntry(namespace: string, id: string, index: number): Promise<Json> {
    return traced(JSON.parse(await this.entry(namespace, id, 'trace', index)) as Json);
  }

  private async entry(namespace: string, id: string, list: ListName, index: number): Promise<string> {
    await this.owned(namespace, id);
    const text = index < 0 ? null : await this.redis.lindex(this.listKey(id, list), index);
    if (text === null)
      throw new NotFoundError(`${list === 'trace' ? 'trace entry' : 'suspension'} ${index} of task ${id}`);
    return text;
  }

  private async owned(namespace: string, id: string): Promise<void> {
    if ((await this.redis.hget(this.keys.task(id), F.namespace)) !== namespace) throw new NotFoundError(`task ${id}`);
  }

  private listKey(id: string, list: ListName): string {
    return list === 'trace' ? this.keys.trace(id) : this.keys.journal(id);
  }

  private async readPage(id: string, list: ListName, q: PageQuery = {}): Promise<EntryPage<SuspensionView | Json>> {
    const redis = this.redis as unknown as { yf_lpage(...a: (string | number)[]): Promise<(string | number)[]> };
    const mode = q.offset === undefined ? 'tail' : 'head';
    const raw = await redis.yf_lpage(
      this.listKey(id, list),
      q.offset ?? 0,
      q.limit ?? this.limits.entries,
      this.limits.valueBytes,
      this.limits.pageBytes,
      mode,
    );
    return this.toPage(id, list, raw, q);
  }

  /** A page as PAGE_SCRIPT answered it: entries parsed, large ones markers with where to fetch them. */
  private toPage(id: string, list: ListName, raw: (string | number)[], q: PageQuery): EntryPage<SuspensionView | Json> {
    const total = Number(raw[0]);
    const offset = q.offset ?? Number(raw[1]);
    const items = raw.slice(2).map((v, i): SuspensionView | Json => {
      const index = offset + i;
      if (typeof v === 'number') {
        const truncated = { bytes: v, href: `/v1/tasks/${id}/${list}/${index}` };
        return list === 'trace' ? { truncated } : ({ step: index, truncated } as SuspensionView);
      }
      return list === 'trace' ? traced(JSON.parse(v) as Json) : suspension(JSON.parse(v) as StoredEntry, index);
    });
    const page: EntryPage<SuspensionView | Json> = { items, offset, total };
    if (offset + items.length < total) page.nextOffset = offset + items.length;
    return page;
  }

  /** The hash of the request that created a task, when it was created with one (null otherwise). */
  async requestHash(namespace: string, id: string): Promise<string | null> {
    const [ns, rh] = await this.redis.hmget(this.keys.task(id), F.namespace, F.requestHash);
    if (ns !== namespace) throw new NotFoundError(`task ${id}`);
    return rh;
  }

  view(id: string, h: Record<string, string>, journal: StoredEntry[], trace: Json[], now: number): TaskView {
    const status = h[F.status] as TaskStatus;
    const createdAt = Number(h[F.createdAt]);
    const end = h[F.finishedAt] ? Number(h[F.finishedAt]) : now;
    const since = now - Number(h[F.lastAt]);
    const parse = (field: string): Json | undefined => {
      const text = h[field];
      if (text?.startsWith(CUT))
        return { truncated: { bytes: Number(text.slice(1)), href: `/v1/tasks/${id}/${VALUE_NAMES[field]}` } };
      return parseJson(text);
    };
    const breakdown = {
      queuedMs: Number(h[F.queuedMs] ?? 0),
      runningMs: Number(h[F.runningMs] ?? 0),
      suspendedMs: Number(h[F.suspendedMs] ?? 0),
      pausedMs: Number(h[F.pausedMs] ?? 0),
    };
    // paused in effect: marked, and queued or suspended (a running task pauses at its next suspension)
    const paused = h[F.paused] !== undefined && (status === 'queued' || status === 'suspended');
    const pausedFor = paused ? Math.max(0, now - Number(h[F.paused])) : 0;
    breakdown.pausedMs += pausedFor;
    if (status === 'queued') breakdown.queuedMs += since - pausedFor;
    else if (status === 'running') breakdown.runningMs += since;
    else if (status === 'suspended') breakdown.suspendedMs += since - pausedFor;
    const view: TaskView = {
      id,
      namespace: h[F.namespace],
      status: paused ? 'paused' : status,
      input: parse(F.input) ?? null,
      createdAt: iso(createdAt)!,
      elapsedMs: end - createdAt,
      breakdown,
      steps: Number(h[F.seq] ?? 0),
      suspensions: journal.map((e, step) => suspension(e, step)),
    };
    if (h[F.kind] === 'c') {
      view.coroutine = h[F.name];
      // none recorded: a task from before versions (1), or one not started yet that will run the worker's latest
      if (h[F.version]) view.coroutineVersion = Number(h[F.version]);
      else if (h[F.status] !== 'queued') view.coroutineVersion = 1;
    } else view.definition = { hash: h[F.definition], name: h[F.name] };
    if (h[F.output] !== undefined) view.output = parse(F.output);
    if (h[F.error] !== undefined) view.error = parse(F.error);
    if (h[F.startedAt]) view.startedAt = iso(h[F.startedAt]);
    if (h[F.finishedAt]) view.finishedAt = iso(h[F.finishedAt]);
    if (h[F.yielded] !== undefined) view.yielded = parse(F.yielded);
    if (paused) view.pausedAt = iso(h[F.paused]);
    if (h[F.paused] !== undefined && !paused) view.pauseRequested = true;
    if (h[F.pauseNote] !== undefined && h[F.paused] !== undefined) view.pauseNote = h[F.pauseNote];
    if (status === 'suspended' && h[F.wait]) {
      view.waitingFor = {
        kind: h[F.waitKind],
        effect: parse(F.wait) ?? null,
        since: iso(h[F.lastAt])!,
        dueAt: iso(h[F.due]),
        deadline: iso(h[F.deadline]),
      };
    }
    if (trace.length) view.trace = trace;
    if (h[F.batch]) view.batchId = h[F.batch];
    if (h[F.parent]) view.parentId = h[F.parent];
    if (h[F.schedule]) view.scheduleId = h[F.schedule];
    if (h[F.closed] === '1') view.closed = true;
    if (h[F.terminated]) view.terminated = true;
    if (h[F.retries]) view.retries = Number(h[F.retries]);
    if (h[F.rerunOf]) view.rerunOf = h[F.rerunOf];
    if (h[F.priority]) view.priority = Number(h[F.priority]);
    return view;
  }

  /**
   * A page of a namespace's tasks matching a query, newest first (by id with `idPrefix`), merged across
   * partitions from the most selective index (task-list.ts).
   */
  async list(namespace: string, q: ListQuery): Promise<TaskPage> {
    return this.pageOf(namespace, await this.lister.page(namespace, q));
  }

  /** A page of an ordered list of ids (a schedule's tasks), read by offset and filtered as `list` filters. */
  async listOf(
    namespace: string,
    read: (offset: number, count: number) => Promise<string[]>,
    q: ListQuery,
  ): Promise<TaskPage> {
    return this.pageOf(namespace, await this.lister.page(namespace, q, TaskList.listSource(read)));
  }

  private async pageOf(namespace: string, page: { ids: string[]; nextCursor?: string }): Promise<TaskPage> {
    const items = await this.views(namespace, page.ids);
    return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
  }

  /**
   * Views of the given tasks, in order, without those gone or of another namespace, each with its latest
   * LIST_SUSPENSIONS suspensions (entries over LIST_VALUE_BYTES are markers) and where they start.
   */
  async views(namespace: string, ids: string[]): Promise<TaskView[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline() as unknown as {
      yf_hview(...a: (string | number)[]): void;
      yf_lpage(...a: (string | number)[]): void;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    for (const id of ids) {
      pipeline.yf_hview(this.keys.task(id), this.limits.valueBytes);
      pipeline.yf_lpage(
        this.keys.journal(id),
        0,
        LIST_SUSPENSIONS,
        LIST_VALUE_BYTES,
        LIST_VALUE_BYTES * LIST_SUSPENSIONS,
        'tail',
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    const now = Date.now();
    const out: TaskView[] = [];
    ids.forEach((id, i) => {
      const [herr, hraw] = replies[2 * i];
      const [jerr, jraw] = replies[2 * i + 1];
      if (herr) throw herr;
      if (jerr) throw jerr;
      const h = toHash((hraw as (string | number)[]) ?? []);
      if (!h[F.status] || h[F.namespace] !== namespace) return;
      const view = this.view(id, h, [], [], now);
      const page = this.toPage(id, 'suspensions', jraw as (string | number)[], {});
      view.suspensions = page.items as SuspensionView[];
      view.suspensionsPage = { offset: page.offset, total: page.total };
      out.push(view);
    });
    return out;
  }

  async batch(namespace: string, id: string): Promise<BatchView> {
    const keys = this.keys;
    const meta = await this.redis.hgetall(keys.batch(id));
    if (!meta.ns || meta.ns !== namespace) throw new NotFoundError(`batch ${id}`);
    const pipeline = this.redis.pipeline();
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

/** The status a task shows: its stored one, or 'paused' for a queued or suspended task paused. */
export const statusOf = (h: Record<string, string>): string =>
  h[F.paused] !== undefined && (h[F.status] === 'queued' || h[F.status] === 'suspended') ? 'paused' : h[F.status];

/** A trace record as shown: its `at` (epoch ms, as recorded) also as `time`, ISO 8601. */
function traced(record: Json): Json {
  if (record === null || typeof record !== 'object' || Array.isArray(record) || typeof record.at !== 'number')
    return record;
  return { ...record, time: new Date(record.at).toISOString() };
}

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
