import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  ERROR_TYPES,
  type HttpEffect,
  type HttpResponse,
  type Json,
  type JournalEntry,
  TaskError,
  retryDelay,
} from '@yieldflow/runtime';
import type { AddressGuard } from './address-guard';

export interface HttpOptions {
  /** One attempt's time limit, ms (default 30,000). */
  timeoutMs?: number;
  /** Largest response body kept, bytes (default 1 MiB); a larger one fails the call. */
  maxBodyBytes?: number;
  maxRedirects?: number;
  /** Told of every attempt (each redirect hop is one): its host, duration, status or failure. */
  observer?: HttpObserver;
}

export interface HttpObserver {
  httpAttempt(host: string, ms: number, status: number | null, reason?: 'timeout' | 'refused' | 'network'): void;
}

const RETRYABLE = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Headers that carry credentials: dropped once a redirect leaves the origin, as fetch and curl do. */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Performs `http` effects: one call with retries per the effect's policy, each attempt carrying the same
 * Idempotency-Key (task id and step), so a callee can deduplicate a call repeated after a crash.
 */
export class HttpPerformer {
  constructor(
    private readonly guard: AddressGuard,
    private readonly opts: HttpOptions = {},
  ) {}

  /** `extra`: headers the worker adds to every attempt (`traceparent`), over the effect's own. */
  async perform(
    effect: HttpEffect,
    idempotencyKey: string,
    deadline?: number,
    extra?: Record<string, string>,
  ): Promise<Pick<JournalEntry, 'r' | 'e'>> {
    const policy = effect.retry ?? {};
    for (let attempt = 1; ; attempt++) {
      let failure: TaskError;
      try {
        const res = await this.once(effect, idempotencyKey, extra);
        const ok = res.status >= 200 && res.status < 300;
        if (ok) return { r: res as unknown as Json };
        failure = TaskError.communication(
          res.status,
          `${effect.request.method} ${effect.request.url} answered ${res.status}`,
        );
        if (!RETRYABLE(res.status)) return { e: failure.toJSON() };
      } catch (err) {
        failure =
          err instanceof TaskError
            ? err
            : TaskError.communication(
                503,
                `${effect.request.method} ${effect.request.url} failed: ${(err as Error).message}`,
              );
        if ((err as { refused?: boolean }).refused) return { e: failure.toJSON() };
      }
      const delay = retryDelay(policy, attempt + 1);
      if (delay === null || (deadline !== undefined && Date.now() + delay >= deadline)) return { e: failure.toJSON() };
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async once(
    effect: HttpEffect,
    idempotencyKey: string,
    extra?: Record<string, string>,
  ): Promise<HttpResponse> {
    const follow = effect.request.redirect !== false;
    let url = new URL(effect.request.url);
    let method = effect.request.method.toUpperCase();
    let body = effect.request.body;
    const headers = lower(effect.request.headers ?? {});
    for (let hop = 0; ; hop++) {
      const res = await this.observed(url, this.send(url, method, headers, body, idempotencyKey, extra));
      const location = res.headers.location;
      if (!follow || res.status < 300 || res.status > 399 || !location) return res;
      if (hop >= (this.opts.maxRedirects ?? 5))
        throw TaskError.communication(
          res.status,
          `more than ${this.opts.maxRedirects ?? 5} redirects from ${effect.request.url}`,
        );
      const next = new URL(location, url);
      // another scheme, host or port: credentials meant for this origin stay behind (and do not come back)
      if (next.origin !== url.origin) for (const name of CREDENTIALS) delete headers[name];
      url = next;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  private observed(url: URL, sent: Promise<HttpResponse>): Promise<HttpResponse> {
    const observer = this.opts.observer;
    if (!observer) return sent;
    const started = performance.now();
    return sent.then(
      (res) => {
        observer.httpAttempt(url.host, performance.now() - started, res.status);
        return res;
      },
      (err: unknown) => {
        const reason = (err as { refused?: boolean }).refused
          ? 'refused'
          : err instanceof TaskError && err.type === ERROR_TYPES.timeout
            ? 'timeout'
            : 'network';
        observer.httpAttempt(url.host, performance.now() - started, null, reason);
        throw err;
      },
    );
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Json | undefined,
    idempotencyKey: string,
    extra?: Record<string, string>,
  ): Promise<HttpResponse> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(
        Object.assign(TaskError.communication(400, `unsupported URL scheme ${url.protocol}`), { refused: true }),
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const why = this.guard.refuse(host);
      if (why) return Promise.reject(Object.assign(TaskError.communication(403, `refused: ${why}`), { refused: true }));
    }
    const payload =
      body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h: Record<string, string> = { 'idempotency-key': idempotencyKey, ...lower(headers), ...extra };
    if (payload !== undefined && !h['content-type'])
      h['content-type'] = typeof body === 'string' ? 'text/plain' : 'application/json';
    if (payload !== undefined) h['content-length'] = String(Buffer.byteLength(payload));
    const max = this.opts.maxBodyBytes ?? 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method, headers: h, lookup: this.guard.lookup as never, timeout: this.opts.timeoutMs ?? 30_000 },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(TaskError.communication(502, `response from ${url.host} is larger than ${max} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const type = String(res.headers['content-type'] ?? '');
            let parsed: Json = text;
            if (type.includes('json') && text.length) {
              try {
                parsed = JSON.parse(text) as Json;
              } catch {
                parsed = text;
              }
            }
            const headersOut: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) headersOut[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode ?? 0, headers: headersOut, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(TaskError.timeout(`${method} ${url.href} took longer than ${this.opts.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', (err) => {
        if (/loopback, private|metadata service/.test(err.message))
          reject(Object.assign(TaskError.communication(403, `refused: ${err.message}`), { refused: true }));
        else reject(err);
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}
