import type { Json } from '@yieldflow/runtime';

/** 'paused': a queued or suspended task paused by an operator (nothing resumes it until it is resumed). */
export const TASK_STATUSES = ['queued', 'running', 'suspended', 'paused', 'completed', 'faulted', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const isTerminal = (s: TaskStatus): boolean => s === 'completed' || s === 'faulted' || s === 'cancelled';

/** Stands for a value too large to answer in a page (LIMIT_VIEW_VALUE_BYTES): its size and where to fetch it. */
export interface Truncated {
  bytes: number;
  href: string;
}

/**
 * One suspension of a task: what it waited on, when it was due, when it resumed, and how late. An entry
 * over LIMIT_VIEW_VALUE_BYTES is only `{ step, truncated }` in pages; its href answers it in full.
 */
export interface SuspensionView {
  step: number;
  truncated?: Truncated;
  kind: string;
  label?: string;
  suspendedAt: string;
  /** Timers: when it was due; values and events: when they arrived. */
  dueAt?: string;
  resumedAt: string;
  /** resumedAt - dueAt, ms. */
  lateMs?: number;
  result?: Json;
  error?: Json;
}

/** What the task waits on now, when suspended. */
export interface WaitingView {
  kind: string;
  effect: Json;
  /** When it began waiting (ISO 8601). */
  since: string;
  dueAt?: string;
  deadline?: string;
}

export interface TaskView {
  id: string;
  namespace: string;
  coroutine?: string;
  definition?: { hash: string; name?: string; namespace?: string; version?: string };
  status: TaskStatus;
  input: Json;
  output?: Json;
  error?: Json;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** (finishedAt, or now while it runs) - createdAt */
  elapsedMs: number;
  /** pausedMs: time paused, kept out of queuedMs and suspendedMs. */
  breakdown: { queuedMs: number; runningMs: number; suspendedMs: number; pausedMs: number };
  /** Paused tasks: when the pause began and its note; a running task asked to pause has `pauseRequested`. */
  pausedAt?: string;
  pauseNote?: string;
  pauseRequested?: boolean;
  /** The value the task last yielded to its driver (receive), like the result of the seed's send(). */
  yielded?: Json;
  waitingFor?: WaitingView;
  steps: number;
  /** The latest suspensions (at most 100, fewer past LIMIT_VIEW_BYTES); older ones: GET /v1/tasks/:id/suspensions. */
  suspensions: SuspensionView[];
  /** Where `suspensions` starts in the journal, and how many there are (single task reads). */
  suspensionsPage?: PagePosition;
  /** DSL tasks: which task ran when, with its output or error; the latest entries, as for suspensions. */
  trace?: Json[];
  tracePage?: PagePosition;
  batchId?: string;
  parentId?: string;
  /** The schedule that started it. */
  scheduleId?: string;
  /** Cancelled tasks: its coroutine has been closed (finally blocks ran, what they recorded is in the trace). */
  closed?: boolean;
  /** Its priority at submission (1-100; absent: 0). */
  priority?: number;
  /** A rerun: the task it reruns (POST /v1/tasks/:id/rerun). */
  rerunOf?: string;
  /** The latest reruns of this task (at most 100), oldest first. */
  reruns?: string[];
  /** How often it was retried after a fault (POST /v1/tasks/:id/retry). */
  retries?: number;
  /** Cancelled tasks ended by terminate: their coroutine was not closed (no finally block ran). */
  terminated?: boolean;
}

export interface BatchView {
  id: string;
  namespace: string;
  total: number;
  counts: Record<TaskStatus, number>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** First start to last finish, once every task has ended; so far while some run. */
  wallMs?: number;
  sumElapsedMs: number;
  /** sumElapsedMs / wallMs: the seed's "6 s of sleeping in 3 s" is 2. */
  speedup?: number;
}

export interface PagePosition {
  /** Index of the first entry shown. */
  offset: number;
  total: number;
}

/** A page of a task's suspensions or trace: entries offset..offset+items.length-1 of total. */
export interface EntryPage<T> extends PagePosition {
  items: T[];
  /** Where the next page starts, when there are entries after this one. */
  nextOffset?: number;
}

export interface TaskPage {
  items: TaskView[];
  nextCursor?: string;
}
