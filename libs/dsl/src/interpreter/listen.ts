import { waitForEvent, type Json } from '@yieldflow/runtime';
import { isExpression, truthy } from '../expressions/expr';
import type { TaskDef, TaskList } from '../types';
import { args, bounded, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

type Event = Record<string, Json>;
interface Filter {
  with?: Record<string, Json>;
  correlate?: Record<string, { from: string; expect?: string }>;
}
interface Strategy {
  one?: Filter;
  any?: Filter[];
  all?: Filter[];
  until?: string | Strategy;
}

/** The type to wait for when any type may match (an empty `any`, a filter without a plain type). */
export const ANY_EVENT_TYPE = '*';

/**
 * `listen`: wait for events matching `to` (one, any with an optional `until`, or all), handling each with
 * `foreach` as it arrives. Output: the consumed events (read as data, envelope or raw), in order.
 */
export function* runListen(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const to = task.listen.to as Strategy;
  const read: string = task.listen.read ?? 'data';
  const foreach = task.foreach as
    { item?: string; at?: string; do?: TaskList; output?: { as?: Json }; export?: { as?: Json } } | undefined;
  const base = `${pointer}/listen/to`;
  const correlations = new Map<string, Json>();
  const out: Json[] = [];
  let data = input;
  let index = 0;

  const view = (e: Event): Json => (read === 'envelope' ? e : (e.data ?? null));
  function* consume(e: Event): Gen<boolean> {
    if (!foreach) {
      out.push(view(e));
      return false;
    }
    const item = foreach.item ?? 'item';
    const at = foreach.at ?? 'index';
    const inner: Scope = { vars: { ...scope.vars, [item]: view(e), [at]: index++ }, task: scope.task };
    let result: Json = data;
    let end = false;
    if (foreach.do) {
      const flow = yield* run.list(foreach.do, `${pointer}/foreach/do`, data, inner);
      result = flow.output;
      end = !!flow.end;
    }
    const a = args(run, inner, { input });
    result = run.ex.transform(foreach.output?.as, result, a, `${pointer}/foreach/output/as`);
    if (foreach.export?.as !== undefined)
      run.context = run.ex.transform(
        foreach.export.as,
        result,
        args(run, inner, { input, output: result }),
        `${pointer}/foreach/export/as`,
      );
    out.push(result);
    data = result;
    return end;
  }

  const match = (f: Filter, e: Event, at: string) => matches(run, f, e, input, scope, at, correlations);
  if (to.one) {
    const e = yield* next(run, [to.one], (ev) => match(to.one!, ev, `${base}/one`));
    const end = yield* consume(e);
    return { output: out, end };
  }
  if (to.all) {
    const pending = to.all.map((f, i) => ({ f, i }));
    while (pending.length) {
      const e = yield* next(
        run,
        pending.map((p) => p.f),
        (ev) => pending.some((p) => match(p.f, ev, `${base}/all/${p.i}`)),
      );
      const hit = pending.findIndex((p) => match(p.f, e, `${base}/all/${p.i}`));
      pending.splice(hit, 1);
      if (yield* consume(e)) return { output: out, end: true };
    }
    return { output: out };
  }
  const any = to.any ?? [];
  const anyMatch = (ev: Event) => any.length === 0 || any.some((f, i) => match(f, ev, `${base}/any/${i}`));
  const until = to.until;
  if (until === undefined) {
    const e = yield* next(run, any, anyMatch);
    const end = yield* consume(e);
    return { output: out, end };
  }
  if (typeof until === 'string') {
    for (;;) {
      const e = yield* next(run, any, anyMatch);
      if (yield* consume(e)) return { output: out, end: true };
      if (truthy(run.ex.bare(until, out, args(run, scope, { input }), `${base}/until`))) return { output: out };
    }
  }
  // until another strategy is satisfied: its events stop the listening and are not part of the output
  const stops: Filter[] = until.one ? [until.one] : (until.all ?? until.any ?? []);
  const stopAll = !!until.all;
  const stopped = new Set<number>();
  for (;;) {
    const e = yield* next(
      run,
      [...any, ...stops],
      (ev) => anyMatch(ev) || stops.some((f, i) => match(f, ev, `${base}/until/${i}`)),
    );
    const stopHit = stops.findIndex((f, i) => !stopped.has(i) && match(f, e, `${base}/until/${i}`));
    if (stopHit >= 0 || (stops.length === 0 && !anyMatch(e))) {
      stopped.add(stopHit);
      if (!stopAll || stopped.size >= stops.length) return { output: out };
      continue;
    }
    if (yield* consume(e)) return { output: out, end: true };
  }
}

/** Wait until an event passes `accept`; events that do not are dropped and the wait starts again. */
function* next(run: Run, filters: Filter[], accept: (e: Event) => boolean): Gen<Event> {
  const types = eventTypes(filters);
  for (;;) {
    const e: Json = yield bounded(run, waitForEvent(types.length === 1 ? types[0] : types));
    if (e !== null && typeof e === 'object' && !Array.isArray(e) && accept(e)) return e;
  }
}

function eventTypes(filters: Filter[]): string[] {
  if (filters.length === 0) return [ANY_EVENT_TYPE];
  const types = new Set<string>();
  for (const f of filters) {
    const t = f.with?.type;
    if (typeof t !== 'string' || isExpression(t) || /[\\^$*+?()[\]{}|]/.test(t)) return [ANY_EVENT_TYPE];
    types.add(t);
  }
  return [...types];
}

/** Does an event pass a filter: each `with` attribute equal (or a regex, or an expression), then correlations. */
function matches(
  run: Run,
  f: Filter,
  e: Event,
  input: Json,
  scope: Scope,
  pointer: string,
  correlations: Map<string, Json>,
): boolean {
  for (const [k, want] of Object.entries(f.with ?? {})) {
    const have = e[k] ?? null;
    if (!attribute(run, want, have, input, scope, `${pointer}/with/${k}`)) return false;
  }
  for (const [name, c] of Object.entries(f.correlate ?? {})) {
    const value = run.ex.bare(c.from, e, args(run, scope, { input }), `${pointer}/correlate/${name}/from`);
    let expected: Json | undefined;
    if (c.expect !== undefined)
      expected = isExpression(c.expect)
        ? run.ex.deep(c.expect, input, args(run, scope, { input }), `${pointer}/correlate/${name}/expect`)
        : c.expect;
    else expected = correlations.get(name);
    if (expected === undefined) correlations.set(name, value);
    else if (JSON.stringify(expected) !== JSON.stringify(value)) return false;
  }
  return true;
}

function attribute(run: Run, want: Json, have: Json, input: Json, scope: Scope, pointer: string): boolean {
  if (isExpression(want)) return truthy(run.ex.deep(want, have, args(run, scope, { input }), pointer));
  if (typeof want === 'string') {
    if (want === have) return true;
    if (typeof have !== 'string' || !/[\\^$*+?()[\]{}|]/.test(want)) return false;
    try {
      return new RegExp(`^(?:${want})$`).test(have);
    } catch {
      return false;
    }
  }
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, w]) => attribute(run, w, have[k] ?? null, input, scope, `${pointer}/${k}`));
  }
  return JSON.stringify(want) === JSON.stringify(have);
}
