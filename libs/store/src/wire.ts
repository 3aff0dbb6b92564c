/**
 * The wire format of the store: the fields of a task hash, of a write-back op and of a journal entry, the
 * HMGET layouts the scripts read and the records they return. The TypeScript code uses these names; the
 * Lua scripts use the same names (`F.status`, `OP.kind`, `J.result`, `H.claim`, `R.claim.id`), which the
 * script assembler (scripts.ts) replaces with the literals below, refusing a name that is not here.
 */
import { ERROR_TYPES, type JournalEntry } from '@yieldflow/runtime';

type Doc = readonly [field: string, meaning: string];
type Named<T extends Record<string, Doc>> = { readonly [K in keyof T]: T[K][0] };
const named = <T extends Record<string, Doc>>(docs: T): Named<T> =>
  Object.fromEntries(Object.entries(docs).map(([name, [field]]) => [name, field])) as Named<T>;

/** The fields of a task hash (`<partition>t:<id>`), with what each holds. */
export const TASK_FIELD_DOCS = {
  status: ['st', 'queued | running | suspended | completed | faulted | cancelled'],
  namespace: ['ns', 'the namespace it belongs to'],
  kind: ['kind', "'c' a coroutine, 'd' a workflow definition"],
  name: ['name', "the coroutine's name, or the definition's display name"],
  definition: ['def', 'the definition content hash (kind d)'],
  input: ['in', 'its input, JSON text'],
  seq: ['seq', 'journal length: the step it resumes at'],
  createdAt: ['ca', 'epoch ms it was created'],
  admittedAt: ['ad', 'epoch ms it was admitted after waiting for a concurrency slot (its clock starts there)'],
  lastAt: ['la', 'epoch ms of its last change of status'],
  startedAt: ['sa', 'epoch ms of its first claim'],
  finishedAt: ['fa', 'epoch ms it ended'],
  queuedMs: ['qm', 'total ms queued'],
  runningMs: ['rm', 'total ms running'],
  suspendedMs: ['sm', 'total ms suspended'],
  pausedMs: ['pm', 'total ms paused'],
  waitKind: ['wk', 'the kind of effect it waits on'],
  wait: ['w', 'the effect it waits on, JSON text'],
  yielded: ['y', 'the value it yielded with that effect, JSON text'],
  due: ['due', 'epoch ms it is due (a timer, or a result that arrived)'],
  deadline: ['dl', 'epoch ms its wait times out'],
  result: ['res', 'the result waiting for it, JSON ({"r":…} / {"e":…} / {"ev":id})'],
  eventCursor: ['ec', 'publish time (text) of the last event it received'],
  output: ['out', 'its output, JSON text (completed)'],
  error: ['err', 'its error, JSON text (faulted)'],
  faultEntry: ['fe', "1: the fault journaled the failing step's entry (retry takes it off)"],
  batch: ['b', 'the batch it belongs to'],
  schedule: ['sc', 'the schedule that started it'],
  parent: ['par', 'the parent task that spawned it'],
  parentSeq: ['pseq', 'the step the parent spawned it at'],
  parentIndex: ['pidx', "its index among the parent's children"],
  depth: ['dp', 'spawn depth (0: nobody spawned it)'],
  root: ['rt', 'the root of its tree of spawns'],
  childCount: ['cn', 'a spawn it waits on: the number of children'],
  childMode: ['cm', "a spawn it waits on: 'all' | 'any'"],
  notify: ['n', 'a sender waits for its answer (the notify channel)'],
  received: ['rx', 'values it has received'],
  sent: ['tx', 'values sent to it (the last ticket)'],
  bytes: ['by', 'bytes stored (journal, trace, output, error), against the budget'],
  traced: ['rn', 'trace entries, against the budget'],
  paused: ['pz', 'epoch ms its pause began (a pause is this mark)'],
  pauseNote: ['pn', "the pause's note"],
  slot: ['cc', 'the key prefix of its concurrency slot'],
  slotWait: ['cw', '1: it waits for a concurrency slot'],
  priority: ['pr', 'priority 1-100'],
  closed: ['cl', '1: a cancelled coroutine was closed; 0: terminated, never closed'],
  terminated: ['tm', '1: terminated (ended as cancelled without closing)'],
  retries: ['ry', 'times it was retried'],
  rerunOf: ['ro', 'the task it reruns'],
  reruns: ['rrn', 'times it was rerun'],
  requestHash: ['rh', 'hash of the request that created it (idempotency keys)'],
  version: ['cv', 'the coroutine version it runs'],
  patches: ['pt', 'its patched() decisions, JSON text'],
} as const satisfies Record<string, Doc>;
export const F = named(TASK_FIELD_DOCS);
export type TaskFieldName = keyof typeof F;
export type TaskField = (typeof F)[TaskFieldName];

/** The fields of one write-back op (WritebackOp, sent as JSON to writeback-1.lua). */
export const OP_FIELD_DOCS = {
  id: ['id', 'the task'],
  seq: ['seq', 'journal length when claimed'],
  kind: ['o', "'s' suspend | 'c' complete | 'f' fault | 'x' cancelled by the coroutine"],
  ahead: ['adv', "a step run ahead of a sleep: the sleep's due time"],
  entry: ['e', 'the journal entry it resumed with, JSON text (ahead: without its resume time)'],
  records: ['rec', 'trace entries, JSON text each'],
  pop: ['pop', "the entry consumed the inbox's head value"],
  children: ['ch', "the entry consumed its children's results"],
  waitKind: ['wk', 'suspend: the kind of effect'],
  wait: ['w', 'suspend: the effect, JSON text'],
  yielded: ['y', 'suspend: the yielded value, JSON text'],
  due: ['due', 'suspend: when it is due'],
  deadline: ['dl', 'suspend: when its wait times out'],
  types: ['types', 'suspend on waitForEvent: the event types'],
  hold: ['hold', 'suspend: it stays active, the worker performs the effect now'],
  childCount: ['cn', 'suspend on spawn: the child count'],
  childMode: ['cm', "suspend on spawn: 'all' | 'any'"],
  output: ['out', 'complete: the output, JSON text'],
  error: ['err', 'fault: the error, JSON text'],
  patches: ['pt', 'its patched() decisions, JSON text, when the step made a new one'],
  version: ['cv', 'the coroutine version a task created without one started on'],
} as const satisfies Record<string, Doc>;
export const OP = named(OP_FIELD_DOCS);

/** The op kinds (`OP.kind`). */
export const OP_KINDS = { suspend: 's', complete: 'c', fault: 'f', cancel: 'x' } as const;
export type OpKind = (typeof OP_KINDS)[keyof typeof OP_KINDS];

/** The fields of a stored journal entry (JournalEntry, plus what the store adds for views). */
export const JOURNAL_FIELD_DOCS = {
  kind: ['k', 'the kind of effect the entry resolved'],
  result: ['r', 'the result sent in'],
  error: ['e', 'or the error thrown in at the yield'],
  resumedAt: ['t', 'epoch ms it resumed with it'],
  dueAt: ['d', "epoch ms the step was due or its result arrived (the step's clock)"],
  suspendedAt: ['s', 'epoch ms it suspended'],
  label: ['l', "the effect's label"],
} as const satisfies Record<string, Doc>;
export const J = named(JOURNAL_FIELD_DOCS);

/** A journal entry as stored: JournalEntry with the suspension's time and label. */
export interface StoredEntry extends JournalEntry {
  /** When it suspended (J.suspendedAt). */
  s?: number;
  /** The effect's label (J.label). */
  l?: string;
}

/** Constants the scripts share with the runtime (`K.<name>` in Lua). */
export const K = {
  timeoutType: ERROR_TYPES.timeout,
  runtimeType: ERROR_TYPES.runtime,
} as const;

/**
 * HMGET layouts (`H.<layout>` in Lua: the field literals, comma-separated; `H.<layout>.<name>`: a field's
 * 1-based index in the reply).
 */
/**
 * What writeback-1.lua reads of a task: a suspension the first 14 fields, one on waitForEvent the first
 * 17, an end all of them (a suspension that faults over a budget reads the rest: writebackRest). Each
 * field has one index in every layout (H.writeback.<name>).
 */
const WRITEBACK = [
  'status',
  'seq',
  'lastAt',
  'batch',
  'notify',
  'result',
  'due',
  'deadline',
  'runningMs',
  'waitKind',
  'suspendedMs',
  'bytes',
  'traced',
  'paused',
  'namespace',
  'createdAt',
  'eventCursor',
  'parent',
  'parentSeq',
  'parentIndex',
  'sent',
  'slot',
] as const satisfies readonly TaskFieldName[];

export const READS = {
  writeback: WRITEBACK,
  writebackWait: WRITEBACK.slice(0, 14),
  writebackEvent: WRITEBACK.slice(0, 17),
  writebackRest: WRITEBACK.slice(14),
  claim: [
    'status',
    'kind',
    'name',
    'definition',
    'input',
    'seq',
    'waitKind',
    'wait',
    'result',
    'due',
    'deadline',
    'lastAt',
    'startedAt',
    'createdAt',
    'batch',
    'namespace',
    'queuedMs',
    'suspendedMs',
    'paused',
    'slotWait',
    'admittedAt',
    'version',
    'patches',
  ],
  /** task-list.ts: what a list filter checks. */
  filter: ['status', 'paused', 'namespace', 'kind', 'name', 'createdAt', 'batch'],
  /** TaskStore.closing: what a closing coroutine is rebuilt from. */
  closing: [
    'status',
    'closed',
    'kind',
    'name',
    'definition',
    'input',
    'seq',
    'startedAt',
    'createdAt',
    'namespace',
    'admittedAt',
    'version',
    'patches',
  ],
} as const satisfies Record<string, readonly TaskFieldName[]>;
export type ReadName = keyof typeof READS;
export type DecodedRead<L extends ReadName> = { [K in (typeof READS)[L][number]]: string | null };

/** The hash fields of a layout, in order (the arguments of its HMGET). */
export const readFields = (layout: ReadName): TaskField[] => READS[layout].map((name) => F[name]);

/** An HMGET reply of a layout, each value by its name. */
export function decodeRead<L extends ReadName>(layout: L, reply: readonly (string | null)[]): DecodedRead<L> {
  const r = {} as Record<string, string | null>;
  READS[layout].forEach((name, i) => (r[name] = reply[i] ?? null));
  return r as DecodedRead<L>;
}

/**
 * Records a script returns, flat (`R.<record>.<name>` in Lua: a value's 1-based position in one record;
 * `R.<record>.size`: its length). decodeRecords reads them back by name.
 */
export const RECORDS = {
  /** claim-1.lua: one per claimed task ('' for a value absent). */
  claim: [
    'id',
    'kind',
    'name',
    'definition',
    'input',
    'seq',
    'waitKind',
    'wait',
    'resolution',
    'due',
    'lastAt',
    'startedAt',
    'createdAt',
    'namespace',
    'version',
    'patches',
  ],
} as const;
export type RecordName = keyof typeof RECORDS;
export type DecodedRecord<R extends RecordName> = { [K in (typeof RECORDS)[R][number]]: string };

/** Split a flat reply, from `offset`, into records of the given layout, each value by its name. */
export function decodeRecords<R extends RecordName>(
  record: R,
  raw: readonly (string | number)[],
  offset = 0,
): DecodedRecord<R>[] {
  const names = RECORDS[record];
  const out: DecodedRecord<R>[] = [];
  for (let i = offset; i + names.length <= raw.length; i += names.length) {
    const r = {} as Record<string, string>;
    names.forEach((name, j) => (r[name] = String(raw[i + j])));
    out.push(r as DecodedRecord<R>);
  }
  return out;
}
