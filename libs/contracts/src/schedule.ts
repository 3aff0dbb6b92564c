import type { ChildSpec, Json } from '@yieldflow/runtime';
import type { ScheduleSpec } from './schedule-spec';

export const OVERLAP_POLICIES = ['skip', 'bufferOne', 'bufferAll', 'cancelOther', 'allowAll'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** The coroutine that runs a schedule: one generation of it at a time. */
export const SCHEDULE_COROUTINE = 'yf.schedule';

/** What a schedule is, as stored (the spec in epoch ms and ms; `given` is the spec as sent). */
export interface ScheduleDoc {
  spec: ScheduleSpec;
  given: Json;
  action: ChildSpec;
  overlap: OverlapPolicy;
  catchupMs: number;
  pauseOnFailure: boolean;
  /** Where the schedule came from when a definition's document.schedule made it. */
  source?: string;
}

/** The input of one generation of the schedule coroutine: a snapshot of the schedule when it started. */
export interface GenerationInput {
  ns: string;
  sid: string;
  uid: string;
  gen: number;
  /** Fires at or before this time are done with. */
  after: number;
  /** Fires started so far (for spec.limit). */
  count: number;
  /** Fires waiting for the previous run to end (buffer policies), carried into the next generation. */
  queue: number[];
  doc: ScheduleDoc;
  /** Steps before it continues as a new generation (STEPS_PER_GENERATION by default). */
  steps?: number;
  /** `after` schedules: the run this generation waits for the end of. */
  awaiting?: string;
  /** A backfill runs the fires of (after, to] at once and ends; it is not a generation. */
  backfillTo?: number;
}

/** What the worker answers a schedule's `start`. */
export interface FireAnswer {
  started?: boolean;
  id?: string;
  /** The previous run still runs (buffer policies wait for it). */
  busy?: boolean;
  skipped?: boolean;
  /** Older than the catch-up window when it was reached: skipped, and fires up to `now - catchupMs` with it. */
  missed?: boolean;
  now?: number;
  /** `after` schedules: when the awaited run ended. */
  endedAt?: number;
  /** This generation is no longer the schedule's (changed, paused, deleted): it ends. */
  stale?: boolean;
  /** The previous run failed and the schedule pauses on failure. */
  paused?: boolean;
}

export interface FireRecord {
  /** The fire time it was due at. */
  dueAt: string;
  /** When its task was started, or it was skipped. */
  at: string;
  lateMs: number;
  taskId?: string;
  /** started, or skipped (with why: overlap, missed, buffer-full). */
  result: 'started' | 'skipped';
  reason?: string;
  /** Fires skipped together with this one (missed). */
  count?: number;
  trigger?: 'schedule' | 'manual' | 'backfill';
  /** The started task's status, read when the list is. */
  status?: string;
}

export interface ScheduleView {
  id: string;
  namespace: string;
  spec: Json;
  action: Json;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  state: 'active' | 'paused' | 'ended';
  note?: string;
  /** Fires started so far. */
  fires: number;
  lastTaskId?: string;
  /** The next fire times (up to 5). */
  next: string[];
  generation: number;
  createdAt: string;
  updatedAt: string;
  source?: string;
}

export interface SchedulePage {
  items: ScheduleView[];
  nextCursor?: string;
}

export interface FirePage {
  items: FireRecord[];
  offset: number;
  total: number;
  nextOffset?: number;
}
