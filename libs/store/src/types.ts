import type { Json, JournalEntry } from '@yieldflow/runtime';
import type { PartitionTags } from './keys';
import type { OpKind } from './wire';

export interface StoreOptions {
  /** Key prefix (default 'yf'); tests use a unique one each. */
  prefix?: string;
  /** Partitions (default 16): the unit of ownership and of Redis Cluster slots. Fixed per deployment. */
  partitions?: number;
  /** How partitions are named for hashing: 'plain' `{p3}` (default) or 'spread' (see Keys). */
  partitionTags?: PartitionTags;
  /** How long published events are kept for tasks running towards a wait for them (default 60 s). */
  eventBufferMs?: number;
  /** At most this many buffered events per namespace and type and partition (default 1,000). */
  eventBufferMax?: number;
  /** At most this many bytes of event bodies buffered per namespace (default 64 MiB); past it a publish is refused. */
  eventBufferBytes?: number;
  /** At most this many values waiting in one task's inbox (default 1,000). */
  maxInbox?: number;
  /** What one task may store before it faults with a budget error (see TaskBudgets). */
  budgets?: Partial<TaskBudgets>;
  /**
   * A worker's group (ARCHITECTURE.md, "Worker groups"): its partition leases and active sets are its
   * own. Unset: the default group. Letters, digits, '.', '_' and '-'.
   */
  group?: string;
  /** The coroutines a worker runs: a due task of another one is parked for a worker that runs it. Unset: all. */
  serves?: string[];
  /** How long a finished task is kept (see Retention; default 7 days for every namespace). */
  retention?: Partial<Retention>;
}

/**
 * How long finished tasks are kept, ms, from their end: `defaultMs` for every namespace but those
 * `byNamespace` names (0: kept forever). Fixed when a task ends: a change applies to tasks that end after it.
 */
export interface Retention {
  defaultMs: number;
  byNamespace: Record<string, number>;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;

/** What one sweep of a partition's expired tasks did: how many it removed, and when the next one expires. */
export interface Sweep {
  removed: number;
  /** Epoch ms of the earliest expiry left in the partition, or null when none is. */
  next: number | null;
}

/** Per task, enforced by the write-back: over one, the task faults with an error naming it. */
export interface TaskBudgets {
  /** Journal entries: steps resumed (LIMIT_TASK_STEPS, default 100,000). */
  steps: number;
  /** Trace entries (LIMIT_TRACE_ENTRIES, default 100,000). */
  traceEntries: number;
  /** Bytes of journal, trace, output and error (LIMIT_TASK_BYTES, default 32 MiB). */
  bytes: number;
}

export const DEFAULT_TASK_BUDGETS: TaskBudgets = { steps: 100_000, traceEntries: 100_000, bytes: 32 * 1024 * 1024 };

export interface NewTask {
  id: string;
  namespace: string;
  kind: 'coroutine' | 'definition';
  /** Coroutine name, or the definition's display name. */
  name: string;
  input: Json;
  /** Definition content hash, for kind 'definition'. */
  definitionHash?: string;
  /**
   * The coroutine's version it runs to its end (kind 'coroutine'): the latest its creator has registered.
   * Omitted (a creator that does not have the coroutine): the latest of the worker that starts it.
   */
  version?: number;
  /** patched() decisions it starts with (a rerun: those of the task it reruns), JSON text. */
  patches?: string;
  batchId?: string;
  /** The schedule that started it. */
  scheduleId?: string;
  parent?: { id: string; seq: number; index: number; depth: number; root: string };
  /** The id is new and random (newId()): no need to check whether it exists. */
  fresh?: boolean;
  /** A rerun: the task it reruns, and the prefix of that task's journal (JSON text) it replays. */
  rerun?: { of: string; journal: string[] };
  /** 1-100: started before due tasks of lower priority in its partition (0 or undefined: the default). */
  priority?: number;
  /** Under a concurrency limit: its slot's key prefix (Keys.slot) and the limit; it starts once it holds one. */
  slot?: { prefix: string; limit: number };
}

export interface ClaimedTask {
  id: string;
  kind: 'coroutine' | 'definition';
  name: string;
  definitionHash: string;
  /** The coroutine version it runs; absent when none is recorded yet (see CoroutineSource.get). */
  version?: number;
  /** Its patched() decisions so far (see libs/runtime/src/patch.ts). */
  patches?: Record<string, boolean>;
  input: Json;
  /** Journal length: the step the task resumes at. */
  seq: number;
  waitKind: string;
  /** The effect it waits on, JSON text ('' when it has not started). */
  wait: string;
  resolution: { type: 'start' } | { type: 'perform' } | { type: 'result'; entry: Pick<JournalEntry, 'r' | 'e'> };
  /** When it was due (timers) or its value arrived; null when unknown. */
  dueAt: number | null;
  /** When it suspended (or, fresh, was queued). */
  suspendedAt: number;
  startedAt: number;
  /** When its clock started: its creation, or its admission after waiting for a concurrency slot. */
  createdAt: number;
  namespace: string;
}

export interface Claim {
  nextDue: number | null;
  tasks: ClaimedTask[];
  /** Tasks of coroutines this worker does not run, parked by the claim for a worker that runs them. */
  parked: number;
}

/** One task's write-back after a claim; see writeback-1.lua. */
export interface WritebackOp {
  id: string;
  seq: number;
  /** A step run ahead of time: the due time of the sleep it ends (see writeback-1.lua). */
  adv?: number;
  e?: string;
  rec?: string[];
  pop?: boolean;
  ch?: boolean;
  /** OP_KINDS (wire.ts): suspend, complete, fault, cancelled by the coroutine. */
  o: OpKind;
  wk?: string;
  w?: string;
  y?: string;
  due?: number;
  dl?: number;
  types?: string[];
  hold?: boolean;
  /** A spawn's child count and wait mode ('all' | 'any'). */
  cn?: number;
  cm?: string;
  out?: string;
  err?: string;
  /** The task's patched() decisions, JSON text, when the step made a new one. */
  pt?: string;
  /** The coroutine version a task created without one started on (its first step). */
  cv?: number;
}

export interface SendResult {
  accepted: boolean;
  status: string;
  waitKind: string;
  seq: number;
  /** Position of the value in the task's inbox (1 = next to be received). */
  position: number;
  /** Answered once the task has received this many values (see the notify channel). */
  ticket: number;
}

export interface StoredEvent {
  id: string;
  type: string;
  source: string;
  specversion: string;
  time: string;
  subject?: string;
  data?: Json;
  [ext: string]: Json | undefined;
}
