import type { TaskStatus } from '@yieldflow/contracts';
import { InvalidQueryError } from './errors';
import { isTaskId } from './keys';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';
import { type DecodedRead, decodeRead, readFields } from './wire';

/** What `GET /v1/tasks` filters by; every filter given must match. Times are epoch ms. */
export interface ListQuery {
  status?: TaskStatus;
  coroutine?: string;
  /** '<namespace>/<name>' (every version) or '<namespace>/<name>@<version>'. */
  definition?: string;
  batchId?: string;
  /** Created at or after (inclusive). */
  createdAfter?: number;
  /** Created before (exclusive). */
  createdBefore?: number;
  idPrefix?: string;
  limit: number;
  cursor?: string;
}

/** Index entries (and task fields) one page reads at most, whatever the filters: a page costs bounded work. */
export const LIST_SCAN_BUDGET = 2000;

const FINISHED = new Set<string>(['completed', 'faulted', 'cancelled']);
const MEMBER = /^\d{13}:[A-Za-z0-9_.-]{1,128}$/;
const INVERT = 9999999999999;
const stamp = (ms: number): string => String(INVERT - ms).padStart(13, '0');
const idOfMember = (member: string): string => member.slice(member.indexOf(':') + 1);
/** The fields a filter reads (wire.ts's READS.filter). */
const FIELDS = readFields('filter');

/** An ordered source of candidates: a sorted set per partition (merged), or one list read by offset. */
type Source =
  | {
      kind: 'merge';
      key: (p: number) => string;
      min: string;
      max: string;
      idOf: (member: string) => string;
      cursor: RegExp;
    }
  | { kind: 'list'; read: (offset: number, count: number) => Promise<string[]> };

/**
 * One page of a namespace's tasks that match a query: candidates come from the most selective index the
 * query allows, every filter is checked on the task's fields, and a page reads at most LIST_SCAN_BUDGET
 * candidates: a page may hold fewer than `limit` tasks and still have a `nextCursor` (go on while there is
 * one). The cursor is a position in the index, so paging is exact while tasks come and go.
 */
export class TaskList {
  constructor(private readonly store: TaskStore) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  /** The page's ids, and the cursor of the next page. */
  async page(
    namespace: string,
    q: ListQuery,
    list?: Source & { kind: 'list' },
  ): Promise<{ ids: string[]; nextCursor?: string }> {
    if (!list && q.batchId && (await this.redis.hget(this.keys.batch(q.batchId), 'ns')) !== namespace)
      return { ids: [] };
    const source = list ?? (q.batchId ? this.batchSource(q.batchId) : await this.indexSource(namespace, q));
    const accept = this.filter(namespace, q);
    return source.kind === 'list' ? this.scanList(source, q, accept) : this.scanMerged(source, q, accept);
  }

  /** A list of ids read by offset (a batch's, a schedule's); the cursor is the offset. */
  static listSource(read: (offset: number, count: number) => Promise<string[]>): Source & { kind: 'list' } {
    return { kind: 'list', read };
  }

  private batchSource(batchId: string): Source & { kind: 'list' } {
    return TaskList.listSource((offset, count) =>
      this.redis.lrange(this.keys.batchTasks(batchId), offset, offset + count - 1),
    );
  }

  /**
   * The index to read: by id for a prefix; else the smaller of the name index (coroutine or definition) and
   * the status index (a finished status's own, or the tasks not finished), counted in the time range; else
   * every task of the namespace. All but the id index are ordered newest first, so a time range is a range
   * of members.
   */
  private async indexSource(namespace: string, q: ListQuery): Promise<Source & { kind: 'merge' }> {
    const keys = this.keys;
    if (q.idPrefix !== undefined) {
      return {
        kind: 'merge',
        key: (p) => `${keys.partition(p)}ids:${namespace}`,
        min: `[${q.idPrefix}`,
        max: `(${q.idPrefix}\x7f`,
        idOf: (m) => m,
        cursor: /^[A-Za-z0-9_.-]{1,128}$/,
      };
    }
    // newest first: created before B are members from stamp(B - 1); created at or after A, up to stamp(A)'s last
    const min = q.createdBefore !== undefined ? `[${stamp(q.createdBefore - 1)}` : '-';
    const max = q.createdAfter !== undefined && q.createdAfter > 0 ? `(${stamp(q.createdAfter)};` : '+';
    const names: string[] = [];
    if (q.coroutine !== undefined) names.push(`ix:${namespace}:c:${q.coroutine}`);
    else if (q.definition !== undefined) names.push(`ix:${namespace}:d:${q.definition.replace(/@[^@/]*$/, '')}`);
    if (q.status !== undefined)
      names.push(FINISHED.has(q.status) ? `ix:${namespace}:s:${q.status}` : `ix:${namespace}:live`);
    let name = names[0] ?? `idx:${namespace}`;
    if (names.length === 2) {
      const pipeline = this.redis.pipeline();
      for (const n of names)
        for (let p = 0; p < keys.partitions; p++) pipeline.zlexcount(`${keys.partition(p)}${n}`, min, max);
      const counts = ((await pipeline.exec()) ?? []).map(([err, r]) => (err ? Infinity : Number(r)));
      const sum = (i: number): number =>
        counts.slice(i * keys.partitions, (i + 1) * keys.partitions).reduce((a, b) => a + b, 0);
      if (sum(1) < sum(0)) name = names[1];
    }
    return { kind: 'merge', key: (p) => `${keys.partition(p)}${name}`, min, max, idOf: idOfMember, cursor: MEMBER };
  }

  /** Does a task (its FIELDS) match every filter of the query? */
  private filter(namespace: string, q: ListQuery): (id: string, f: DecodedRead<'filter'>) => boolean {
    const version = q.definition?.match(/@[^@/]*$/) ? q.definition : undefined;
    const definition = q.definition?.replace(/@[^@/]*$/, '');
    return (id, { status: st, paused: pz, namespace: ns, kind, name, createdAt: ca, batch: b }) => {
      if (!st || ns !== namespace) return false;
      if (
        q.status !== undefined &&
        (pz !== null && (st === 'queued' || st === 'suspended') ? 'paused' : st) !== q.status
      )
        return false;
      if (q.coroutine !== undefined && (kind !== 'c' || name !== q.coroutine)) return false;
      if (
        definition !== undefined &&
        (kind !== 'd' || (version ? name !== version : name?.replace(/@[^@/]*$/, '') !== definition))
      )
        return false;
      if (q.batchId !== undefined && b !== q.batchId) return false;
      if (q.createdAfter !== undefined && Number(ca) < q.createdAfter) return false;
      if (q.createdBefore !== undefined && Number(ca) >= q.createdBefore) return false;
      if (q.idPrefix !== undefined && !id.startsWith(q.idPrefix)) return false;
      return true;
    };
  }

  private async fields(ids: string[]): Promise<DecodedRead<'filter'>[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.task(id), ...FIELDS);
    return ((await pipeline.exec()) ?? []).map(([err, r]) => {
      if (err) throw err;
      return decodeRead('filter', r as (string | null)[]);
    });
  }

  private async scanList(
    source: Source & { kind: 'list' },
    q: ListQuery,
    accept: (id: string, f: DecodedRead<'filter'>) => boolean,
  ): Promise<{ ids: string[]; nextCursor?: string }> {
    if (q.cursor !== undefined && !/^\d{1,9}$/.test(q.cursor))
      throw new InvalidQueryError("cursor is not one of this list's pages: use the nextCursor of the previous page");
    let offset = q.cursor ? Number(q.cursor) : 0;
    const ids: string[] = [];
    let read = 0;
    while (ids.length < q.limit && read < LIST_SCAN_BUDGET) {
      const chunk = await source.read(offset, Math.min(Math.max(q.limit - ids.length, 50), LIST_SCAN_BUDGET - read));
      const fields = await this.fields(chunk);
      for (let i = 0; i < chunk.length && ids.length < q.limit; i++) {
        offset++;
        read++;
        if (accept(chunk[i], fields[i])) ids.push(chunk[i]);
      }
      if (chunk.length === 0) return { ids };
    }
    // one more id past the page says whether there is a next one
    return (await source.read(offset, 1)).length > 0 ? { ids, nextCursor: String(offset) } : { ids };
  }

  /**
   * Merge the partitions' sorted sets in member order: each round reads a window of members after the
   * cursor from every partition; members up to the smallest last member of a full window are in order.
   */
  private async scanMerged(
    source: Source & { kind: 'merge' },
    q: ListQuery,
    accept: (id: string, f: DecodedRead<'filter'>) => boolean,
  ): Promise<{ ids: string[]; nextCursor?: string }> {
    if (q.cursor !== undefined && !source.cursor.test(q.cursor))
      throw new InvalidQueryError(
        "cursor is not one of this query's pages: use the nextCursor of the previous page, with the same filters",
      );
    const partitions = this.keys.partitions;
    const ids: string[] = [];
    let last: string | undefined;
    let read = 0;
    const window = Math.max(Math.min(q.limit, 200), 20);
    let from =
      q.cursor !== undefined && (source.min === '-' || q.cursor >= source.min.slice(1)) ? `(${q.cursor}` : source.min;
    while (ids.length < q.limit && read < LIST_SCAN_BUDGET) {
      const pipeline = this.redis.pipeline();
      for (let p = 0; p < partitions; p++) pipeline.zrangebylex(source.key(p), from, source.max, 'LIMIT', 0, window);
      const rows: string[] = [];
      let boundary: string | undefined;
      for (const [err, r] of (await pipeline.exec()) ?? []) {
        if (err) throw err;
        const arr = r as string[];
        rows.push(...arr);
        // a partition that filled its window may hold more past its last row: stop there this round
        if (arr.length === window && (boundary === undefined || arr[arr.length - 1] < boundary))
          boundary = arr[arr.length - 1];
      }
      if (rows.length === 0) return { ids };
      rows.sort();
      const safe = (boundary === undefined ? rows : rows.filter((m) => m <= boundary!)).slice(
        0,
        LIST_SCAN_BUDGET - read,
      );
      const fields = await this.fields(safe.map(source.idOf));
      for (let i = 0; i < safe.length && ids.length < q.limit; i++) {
        last = safe[i];
        read++;
        if (accept(source.idOf(safe[i]), fields[i])) ids.push(source.idOf(safe[i]));
      }
      if (boundary === undefined && last === rows[rows.length - 1]) return { ids };
      from = `(${last}`;
    }
    return last ? { ids, nextCursor: last } : { ids };
  }
}

/** Parse an ISO 8601 time of a query (a date, or a date and time with a zone); null when it is not one. */
export function parseIsoTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) && ms >= 0 && ms <= 9_999_999_999_999 ? ms : null;
}

export const isListCursor = (cursor: string): boolean =>
  MEMBER.test(cursor) || isTaskId(cursor) || /^\d{1,9}$/.test(cursor);
