import type { TaskStatus } from './task';

/**
 * The bodies the REST api takes and answers beside the views (task.ts): the api's DTOs implement the request
 * types and its controllers return the answer types, so the api and libs/client cannot drift apart.
 */

/** A registered workflow definition, by name (the latest version when `version` is omitted). */
export interface DefinitionRef {
  namespace?: string;
  name: string;
  version?: string;
}

/** POST /v1/tasks: exactly one of coroutine, definition or definitionRef. */
export interface SubmitRequest {
  coroutine?: string;
  /** A Serverless Workflow DSL 1.0.3 document, as JSON or as YAML text. */
  definition?: object | string;
  definitionRef?: DefinitionRef;
  input?: unknown;
  /** 0-100; among due tasks of a partition, a higher priority starts first. */
  priority?: number;
}

/** POST /v1/tasks/:id/send */
export interface SendRequest {
  value?: unknown;
}

/** What POST /v1/tasks/:id/send answers: what the task yielded next, or `pending` (202) if it did not suspend in time. */
export interface SendAnswer {
  yielded: unknown;
  status: TaskStatus;
  output?: unknown;
  error?: unknown;
  pending?: boolean;
}

/** POST /v1/batches */
export interface BatchRequest {
  tasks: SubmitRequest[];
}

/** What POST /v1/batches answers. */
export interface BatchCreated {
  id: string;
  taskIds: string[];
}

/** POST /v1/events: a CloudEvent 1.0. */
export interface EventRequest {
  type: string;
  source: string;
  /** Defaults to a new UUID; the same id twice wakes nobody the second time. */
  id?: string;
  subject?: string;
  /** RFC 3339; defaults to now. */
  time?: string;
  specversion?: string;
  datacontenttype?: string;
  data?: unknown;
}

/** What POST /v1/events answers (202). */
export interface PublishAnswer {
  id: string;
  woken: number;
  /** Ids of the tasks it started (definitions whose schedule.on matches). */
  started?: string[];
}

/** Every error the api answers: `{ statusCode, error, message, ...details }`. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [detail: string]: unknown;
}
