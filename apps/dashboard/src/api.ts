/** The public REST API (/v1) and its change stream, as the dashboard uses them. */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Role = 'viewer' | 'submitter' | 'operator' | 'admin';
export const ROLES: Role[] = ['viewer', 'submitter', 'operator', 'admin'];
export const can = (have: Role | undefined, need: Role): boolean =>
  !!have && ROLES.indexOf(have) >= ROLES.indexOf(need);

export const STATUSES = ['queued', 'running', 'suspended', 'paused', 'completed', 'faulted', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];
export const ended = (s: string): boolean => s === 'completed' || s === 'faulted' || s === 'cancelled';

export interface Suspension {
  step: number;
  kind: string;
  label?: string;
  suspendedAt: string;
  dueAt?: string;
  resumedAt: string;
  lateMs?: number;
  result?: Json;
  error?: Json;
  truncated?: { bytes: number; href: string };
}

export interface Task {
  id: string;
  namespace: string;
  coroutine?: string;
  definition?: { hash: string; name?: string; namespace?: string; version?: string };
  status: Status;
  input: Json;
  output?: Json;
  error?: Json;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  elapsedMs: number;
  breakdown?: { queuedMs: number; runningMs: number; suspendedMs: number; pausedMs: number };
  pausedAt?: string;
  pauseNote?: string;
  yielded?: Json;
  waitingFor?: { kind: string; effect: Json; dueAt?: string; deadline?: string; since?: string };
  steps: number;
  suspensions?: Suspension[];
  suspensionsPage?: { offset: number; total: number };
  trace?: Json[];
  batchId?: string;
  parentId?: string;
  scheduleId?: string;
  rerunOf?: string;
  reruns?: string[];
  retries?: number;
  terminated?: boolean;
}

export interface Batch {
  id: string;
  total: number;
  counts: Record<string, number>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  wallMs?: number;
  sumElapsedMs: number;
  speedup?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY = 'yf.key';
export const auth = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set(key: string | null): void {
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
  },
};

/** Listeners told when a request answers 401: the key is gone or was never given. */
export const unauthorized = new Set<() => void>();

function headers(body?: unknown): Record<string, string> {
  const h: Record<string, string> = {};
  const key = auth.key;
  if (key) h.authorization = `Bearer ${key}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  return h;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'the api cannot be reached');
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    if (res.status === 401) unauthorized.forEach((f) => f());
    const m = (data as { message?: unknown } | null)?.message;
    throw new ApiError(
      res.status,
      Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : `${res.status} ${res.statusText}`,
    );
  }
  return data as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}): Promise<T> => api<T>('POST', path, body);

export interface Change {
  id: string;
  status: string;
  step?: number;
}
export type ChangeHandler = (kind: string, changes: Change[]) => void;

/**
 * GET /v1/stream read with fetch (an EventSource cannot send the Authorization header), reconnected
 * after a drop. `onState` tells whether it is connected. Returns a function that closes it.
 */
export function stream(onChange: ChangeHandler, onState: (live: boolean) => void): () => void {
  let closed = false;
  let ctrl: AbortController | null = null;
  const run = async (): Promise<void> => {
    while (!closed) {
      ctrl = new AbortController();
      try {
        const res = await fetch('/v1/stream', { headers: headers(), signal: ctrl.signal });
        if (res.status === 401) unauthorized.forEach((f) => f());
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (!data || event === 'hello') continue;
            try {
              onChange(event, event === 'reset' ? [] : (JSON.parse(data) as Change[]));
            } catch {
              /* a malformed message is skipped */
            }
          }
        }
      } catch {
        /* reconnect below */
      }
      onState(false);
      if (!closed) await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => {
    closed = true;
    ctrl?.abort();
  };
}

/** Short human durations: 850 ms, 3.02 s, 4 min 5 s, 2 h 10 min. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Math.abs(v) < 1000) return `${Math.round(v)} ms`;
  if (Math.abs(v) < 60_000) return `${(v / 1000).toFixed(2)} s`;
  if (Math.abs(v) < 3_600_000) return `${Math.floor(v / 60_000)} min ${Math.round((v % 60_000) / 1000)} s`;
  return `${Math.floor(v / 3_600_000)} h ${Math.round((v % 3_600_000) / 60_000)} min`;
}

export function bytes(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (v < 1024) return `${v} B`;
  if (v < 1 << 20) return `${(v / 1024).toFixed(1)} KiB`;
  if (v < 1 << 30) return `${(v / (1 << 20)).toFixed(1)} MiB`;
  return `${(v / (1 << 30)).toFixed(2)} GiB`;
}

export const time = (iso: string | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : '–';
export const taskName = (t: Task): string =>
  t.coroutine ??
  (t.definition
    ? `${t.definition.namespace ?? ''}/${t.definition.name ?? t.definition.hash.slice(0, 8)}${t.definition.version ? `@${t.definition.version}` : ''}`
    : '?');
