import { deepStrictEqual } from 'node:assert/strict';
import type { TraceEntry } from '../support/world';

/** The CTK's error type URIs (`/dsl/errors/types/X`) and dsl.md's (`/spec/1.0.0/errors/X`) name the same types. */
export function normalizeType(type: unknown): unknown {
  if (typeof type !== 'string') return type;
  const m = /^https:\/\/serverlessworkflow\.io\/(?:dsl\/errors\/types|spec\/1\.0\.0\/errors)\/([a-z-]+)$/.exec(type);
  return m ? `https://serverlessworkflow.io/spec/1.0.0/errors/${m[1]}` : type;
}

/** Every property of the expected error is in the actual one, with the same value (type URIs compared as above). */
export function expectError(actual: unknown, expected: unknown, what: string): void {
  if (!actual || typeof actual !== 'object') throw new Error(`${what}: no error, got ${JSON.stringify(actual)}`);
  if (!expected || typeof expected !== 'object') throw new Error(`${what}: the expected error must be a map`);
  const a = actual as Record<string, unknown>;
  for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
    const got = k === 'type' ? normalizeType(a[k]) : a[k];
    const want = k === 'type' ? normalizeType(v) : v;
    deepStrictEqual(
      got,
      want,
      `${what}: '${k}' is ${JSON.stringify(a[k])}, expected ${JSON.stringify(v)} (error: ${JSON.stringify(actual)})`,
    );
  }
}

/** The value at a dotted path ('request.headers', 'ids.0'), or `missing` when a step of it is absent. */
export const missing = Symbol('missing');
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return missing;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** `'a', 'b.c', 'd'` → ['a', 'b.c', 'd']. */
export function quotedList(text: string): string[] {
  const items = [...text.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  if (items.length === 0) throw new Error(`no quoted property paths in ${text}`);
  return items;
}

/** Ordering from the trace: which task started when, which one contains which (by JSON pointer). */
export class Order {
  constructor(private readonly trace: TraceEntry[]) {}

  private entries(task: string): { i: number; e: TraceEntry }[] {
    return this.trace.map((e, i) => ({ i, e })).filter((x) => x.e.task === task);
  }

  /** Index of the task's first `started` entry; throws naming what ran when it never started. */
  startOf(task: string): { i: number; ref: string } {
    const s = this.entries(task).find((x) => x.e.phase === 'started');
    if (!s) throw new Error(`${task} did not run; the trace started ${JSON.stringify(this.started())}`);
    return { i: s.i, ref: s.e.ref };
  }

  /** Index of the task's last entry that ends it (completed, faulted, cancelled), or +Infinity. */
  endOf(task: string): number {
    const ends = this.entries(task).filter((x) => x.e.phase !== 'started' && x.e.phase !== 'skipped');
    return ends.length ? ends[ends.length - 1].i : Number.POSITIVE_INFINITY;
  }

  started(): string[] {
    return this.trace.filter((e) => e.phase === 'started').map((e) => e.task);
  }

  /** The last entry of a task (its outcome). */
  last(task: string): TraceEntry {
    const es = this.entries(task);
    if (es.length === 0)
      throw new Error(
        `${task} is not in the trace; it holds ${JSON.stringify(this.trace.map((e) => `${e.task}:${e.phase}`))}`,
      );
    return es[es.length - 1].e;
  }

  private static contains(outer: string, inner: string): boolean {
    return inner.startsWith(`${outer}/`);
  }

  /** No task started before it, but those that contain it. */
  first(task: string): boolean {
    const me = this.startOf(task);
    return this.trace.every((e, i) => e.phase !== 'started' || i >= me.i || Order.contains(e.ref, me.ref));
  }

  /** No task started after it, but those it contains. */
  lastToRun(task: string): boolean {
    const me = this.startOf(task);
    return this.trace.every((e, i) => e.phase !== 'started' || i <= me.i || Order.contains(me.ref, e.ref));
  }

  /** `a` started before `b`; unless one contains the other, `a` had also ended before `b` started. */
  before(a: string, b: string): boolean {
    const sa = this.startOf(a);
    const sb = this.startOf(b);
    if (Order.contains(sa.ref, sb.ref) || Order.contains(sb.ref, sa.ref)) return sa.i < sb.i;
    return this.endOf(a) < sb.i;
  }
}
