import type {
  BatchCreated,
  BatchView,
  EventRequest,
  PublishAnswer,
  SendAnswer,
  SubmitRequest,
  TaskListQuery,
  TaskPage,
  TaskView,
} from '@yieldflow/contracts';
import { errorFor, TaskFailedError, TimeoutError, YieldflowError } from './errors';
import { pathOf, ROUTES, type RouteName } from './routes';

export interface ClientOptions {
  /** Where the api listens, e.g. http://localhost:3000 (a path prefix is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; the key's namespace is the tasks'. */
  apiKey?: string;
  /** A fetch of your own (tests, proxies); Node's global fetch by default. */
  fetch?: typeof fetch;
  /** Each request's timeout, ms; 35 s by default (send() may wait SEND_WAIT_MS, 30 s by default, for an answer). */
  timeoutMs?: number;
}

export interface SubmitOptions {
  /** A retried submission with the same key and body returns the same task; another body is a 422. */
  idempotencyKey?: string;
}

export interface WaitOptions {
  /** How long to wait for the task to end, ms; 60 s by default. Past it a TimeoutError. */
  timeoutMs?: number;
  /** The first poll interval, ms (100 by default); it grows by half each poll up to maxPollMs (2,000). */
  pollMs?: number;
  maxPollMs?: number;
  signal?: AbortSignal;
}

const TERMINAL = new Set(['completed', 'faulted', 'cancelled']);
const positive = (name: string, v: number | undefined): void => {
  if (v !== undefined && !(Number.isFinite(v) && v > 0))
    throw new TypeError(`${name} must be a positive number of ms, got ${String(v)}`);
};
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/**
 * The Yieldflow REST api, typed with the contracts' views. Needs nothing but fetch; errors are YieldflowError
 * subclasses carrying the api's message (errors.ts).
 */
export class YieldflowClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    if (typeof options?.baseUrl !== 'string')
      throw new TypeError('baseUrl must be a URL string, e.g. http://localhost:3000');
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`baseUrl must be an absolute http(s) URL, got '${options.baseUrl}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`baseUrl must be an http(s) URL, got '${options.baseUrl}'`);
    positive('timeoutMs', options.timeoutMs);
    this.base = url.href.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof this.fetchFn !== 'function')
      throw new TypeError('no fetch: pass options.fetch, or run on Node 20 or later');
    this.timeoutMs = options.timeoutMs ?? 35_000;
  }

  /** Submit a task: a registered coroutine, an inline definition, or a registered definition (definitionRef). */
  submit(request: SubmitRequest, opts: SubmitOptions = {}): Promise<TaskView> {
    const headers: Record<string, string> =
      opts.idempotencyKey !== undefined ? { 'idempotency-key': opts.idempotencyKey } : {};
    return this.call('submit', {}, request, headers);
  }

  get(id: string): Promise<TaskView> {
    return this.call('get', { id });
  }

  /** A page of tasks, newest first, by the filters given; `nextCursor` fetches the next page. */
  list(query: TaskListQuery = {}): Promise<TaskPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
    return this.call('list', {}, undefined, {}, q.size ? `?${q}` : '');
  }

  /** Remove a finished task at once (else it goes after its retention period); a ConflictError while it runs. */
  async remove(id: string): Promise<void> {
    await this.call('remove', { id });
  }

  /**
   * Wait for a task to end (polling with backoff; the api has no long-poll for a task's end) and answer its
   * view, whatever the end: completed, faulted or cancelled.
   */
  async wait(id: string, opts: WaitOptions = {}): Promise<TaskView> {
    positive('timeoutMs', opts.timeoutMs);
    positive('pollMs', opts.pollMs);
    positive('maxPollMs', opts.maxPollMs);
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let interval = opts.pollMs ?? 100;
    const max = Math.max(interval, opts.maxPollMs ?? 2_000);
    while (true) {
      opts.signal?.throwIfAborted();
      let pause = interval;
      try {
        const task = await this.get(id);
        if (TERMINAL.has(task.status)) return task;
      } catch (err) {
        // a busy or briefly unreachable api is waited out like a task still running
        if (!(err instanceof YieldflowError) || ![0, 429, 503].includes(err.status) || err instanceof TimeoutError)
          throw err;
        const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
        if (retryAfter) pause = Math.max(pause, retryAfter * 1000);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(0, `task ${id} did not end within ${opts.timeoutMs ?? 60_000} ms`);
      await sleep(Math.min(pause, left), opts.signal);
      interval = Math.min(max, Math.ceil(interval * 1.5));
    }
  }

  /** The output of a task once it completes; a TaskFailedError if it faulted or was cancelled. */
  async result<T = unknown>(id: string, opts: WaitOptions = {}): Promise<T> {
    const task = await this.wait(id, opts);
    if (task.status === 'completed') return task.output as T;
    const why = task.status === 'faulted' ? `faulted: ${JSON.stringify(task.error)}` : 'was cancelled';
    throw new TaskFailedError(task, `task ${id} ${why}`);
  }

  /**
   * The seed's send(): deliver a value to a task waiting in receive; answers what it yields next (`yielded`),
   * its status, and its output once it completed. `pending: true` if it did not suspend again within SEND_WAIT_MS.
   */
  send(id: string, value?: unknown): Promise<SendAnswer> {
    return this.call('send', { id }, { value: value ?? null });
  }

  /** Cancel a task (its finally blocks run); a ConflictError if it already ended. */
  cancel(id: string): Promise<TaskView> {
    return this.call('cancel', { id });
  }

  /** Submit many tasks at once (all or none); see getBatch() for their progress. */
  batch(tasks: SubmitRequest[]): Promise<BatchCreated> {
    return this.call('batch', {}, { tasks });
  }

  getBatch(id: string): Promise<BatchView> {
    return this.call('getBatch', { id });
  }

  /** Publish a CloudEvent: wakes the tasks waiting for its type. */
  publish(event: EventRequest): Promise<PublishAnswer> {
    return this.call('publish', {}, event);
  }

  private async call<T>(
    name: RouteName,
    params: Record<string, string>,
    body?: unknown,
    headers: Record<string, string> = {},
    search = '',
  ): Promise<T> {
    const route = ROUTES[name];
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.options.apiKey) h.authorization = `Bearer ${this.options.apiKey}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchFn(this.base + pathOf(name, params) + search, {
        method: route.method.toUpperCase(),
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e?.name === 'TimeoutError')
        throw new TimeoutError(0, `${route.method.toUpperCase()} ${route.path}: no answer within ${this.timeoutMs} ms`);
      throw new YieldflowError(0, `${route.method.toUpperCase()} ${route.path}: ${e?.message ?? String(err)}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok)
      throw errorFor(
        res.status,
        parsed && typeof parsed === 'object' ? (parsed as never) : undefined,
        res.headers.get('retry-after'),
      );
    return parsed as T;
  }
}
