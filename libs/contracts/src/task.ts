import type { Json } from '@yieldflow/runtime';

export const TASK_STATUSES = ['queued', 'running', 'suspended', 'completed', 'faulted', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const isTerminal = (s: TaskStatus): boolean => s === 'completed' || s === 'faulted' || s === 'cancelled';

/** One suspension of a task: what it waited on, when it was due, when it resumed, and how late. */
export interface SuspensionView {
  step: number;
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
  breakdown: { queuedMs: number; runningMs: number; suspendedMs: number };
  /** The value the task last yielded to its driver (receive), like the result of the seed's send(). */
  yielded?: Json;
  waitingFor?: WaitingView;
  steps: number;
  suspensions: SuspensionView[];
  /** DSL tasks: which task ran when, with its output or error. */
  trace?: Json[];
  batchId?: string;
  parentId?: string;
  /** Cancelled tasks: its coroutine has been closed (finally blocks ran, what they recorded is in the trace). */
  closed?: boolean;
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

export interface TaskPage {
  items: TaskView[];
  nextCursor?: string;
}
