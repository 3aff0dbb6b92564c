import type { Json } from '@yieldflow/runtime';
import type { TaskView } from '@yieldflow/contracts';

export type { TaskView };

export interface ClientOptions {
  /** Where the api listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** An API key (`Authorization: Bearer`); none in development mode. */
  apiKey?: string;
}

/** An answer of the api other than 2xx, with its status and the api's message. */
export class YieldflowApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Json,
  ) {
    super(message);
    this.name = 'YieldflowApiError';
  }
}

/** `result()` of a task that faulted or was cancelled. */
export class TaskFailedError extends Error {
  constructor(readonly task: TaskView) {
    super(`task ${task.id} ${task.status}${task.error ? `: ${JSON.stringify(task.error)}` : ''}`);
    this.name = 'TaskFailedError';
  }
}

const ENDED = new Set(['completed', 'faulted', 'cancelled']);

/**
 * A small client of the REST api: submit a task, read it, wait for its end, send it a value, cancel it,
 * publish an event. Errors are YieldflowApiError with the api's message.
 */
export class YieldflowClient {
  private readonly base: string;

  constructor(private readonly opts: ClientOptions) {
    if (!opts || typeof opts.baseUrl !== 'string') throw new TypeError('YieldflowClient: baseUrl is required');
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  submit(coroutine: string, input: Json = null, opts: { priority?: number; idempotencyKey?: string } = {}): Promise<TaskView> {
    const headers = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined;
    return this.call<TaskView>('POST', '/v1/tasks', { coroutine, input, ...(opts.priority ? { priority: opts.priority } : {}) }, headers);
  }

  get(id: string): Promise<TaskView> {
    return this.call<TaskView>('GET', `/v1/tasks/${encodeURIComponent(id)}`);
  }

  /** Wait for the task's end: its output, or a TaskFailedError when it faulted or was cancelled. */
  async result(id: string, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<Json> {
    const end = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const task = await this.get(id);
      if (ENDED.has(task.status)) {
        if (task.status !== 'completed') throw new TaskFailedError(task);
        return task.output ?? null;
      }
      if (Date.now() > end) throw new Error(`task ${id} did not end within ${opts.timeoutMs ?? 60_000} ms (${task.status})`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }

  /** Send a value into a task waiting in `receive()`: answers what it yields next (like a generator's send()). */
  send(id: string, value: Json): Promise<{ yielded?: Json; status: string; output?: Json }> {
    return this.call('POST', `/v1/tasks/${encodeURIComponent(id)}/send`, { value });
  }

  cancel(id: string): Promise<TaskView> {
    return this.call<TaskView>('POST', `/v1/tasks/${encodeURIComponent(id)}/cancel`);
  }

  publish(event: { type: string; source: string; data?: Json; subject?: string; id?: string }): Promise<Json> {
    return this.call('POST', '/v1/events', event as Json);
  }

  private async call<T>(method: string, path: string, body?: Json, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : null) as Json;
    if (!res.ok) {
      const message = parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'message' in parsed ? String(parsed.message) : `${method} ${path}: ${res.status}`;
      throw new YieldflowApiError(res.status, message, parsed);
    }
    return parsed as T;
  }
}
