import { ERROR_TYPES, http, TaskError, type HttpRequest, type HttpResponse, type Json } from '@yieldflow/runtime';
import { configurationError } from '../errors';
import { isExpression } from '../expressions/expr';
import type { TaskDef } from '../types';
import { expandUriTemplate } from '../uri-template';
import { args, bounded, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

/**
 * `call: http`. The engine answers 2xx with the response and throws a communication error otherwise. DSL
 * `redirect: true` (3xx are not errors) follows redirects, and an unfollowable 3xx becomes the output;
 * `redirect: false` (the default: 3xx are errors) does not follow them, so a 3xx faults the task.
 */
export function* runCall(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const w = task.with ?? {};
  const at = `${pointer}/with`;
  const a = args(run, scope, { input });
  const endpoint = w.endpoint;
  const uriDef: string = typeof endpoint === 'string' ? endpoint : endpoint?.uri;
  let url = isExpression(uriDef)
    ? String(run.ex.deep(uriDef, input, a, `${at}/endpoint`))
    : expandUriTemplate(uriDef, input);
  const query = w.query === undefined ? null : run.ex.deep(w.query, input, a, `${at}/query`);
  if (query && typeof query === 'object' && !Array.isArray(query)) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== null) params.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const headers: Record<string, string> = {};
  const h = w.headers === undefined ? null : run.ex.deep(w.headers, input, a, `${at}/headers`);
  if (h && typeof h === 'object' && !Array.isArray(h))
    for (const [k, v] of Object.entries(h)) headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const auth = typeof endpoint === 'object' ? endpoint.authentication : undefined;
  if (auth) headers.Authorization = authorization(run, auth, input, a, `${at}/endpoint/authentication`);
  const method = String(w.method).toUpperCase();
  const body = w.body === undefined ? undefined : run.ex.deep(w.body, input, a, `${at}/body`);
  const redirect = w.redirect === true;
  const request = { method, url, headers, ...(body === undefined ? {} : { body }), redirect };
  return yield* send(run, pointer, request, w.output ?? 'content');
}

/**
 * Perform one DSL call's request and shape its answer as `output` asks (content / response / raw). A 3xx
 * that `redirect: true` could not follow is an answer, not an error; other errors name the task's pointer.
 */
export function* send(
  run: Run,
  pointer: string,
  request: HttpRequest & { headers: Record<string, string> },
  format: string,
): Gen<Flow> {
  const { method, url, headers, redirect } = request;
  let response: HttpResponse;
  try {
    response = yield bounded(run, http(request, { attempts: 1 }));
  } catch (err) {
    if (
      redirect &&
      err instanceof TaskError &&
      err.type === ERROR_TYPES.communication &&
      err.status >= 300 &&
      err.status < 400
    ) {
      response = { status: err.status, headers: {}, body: null };
    } else throw atTask(err, pointer);
  }
  if (format === 'response') {
    return {
      output: {
        request: { method, uri: url, headers },
        statusCode: response.status,
        headers: response.headers ?? {},
        content: response.body ?? null,
      },
    };
  }
  if (format === 'raw') {
    const b = response.body;
    const text = b === null || b === undefined ? '' : typeof b === 'string' ? b : JSON.stringify(b);
    return { output: Buffer.from(text, 'utf8').toString('base64') };
  }
  return { output: response.body ?? null };
}

/**
 * A DSL error's instance is the JSON pointer of the task it comes from; the engine may fill it with the
 * request's URL (which the detail names already).
 */
export function atTask(err: unknown, pointer: string): unknown {
  if (!(err instanceof TaskError)) return err;
  return new TaskError({ type: err.type, status: err.status, title: err.title, detail: err.detail, instance: pointer });
}

/** The Authorization header of an authentication policy (inline, or `use` of use.authentications). */
export function authorization(run: Run, ref: TaskDef, input: Json, a: Record<string, Json>, pointer: string): string {
  let policy = ref;
  if (policy.use) {
    policy = run.doc.use?.authentications?.[policy.use];
    if (!policy) throw configurationError(`no authentication named '${ref.use}' in use.authentications`, pointer);
  }
  const text = (v: Json | undefined, at: string) => {
    const r = run.ex.deep(v === undefined ? null : v, input, a, `${pointer}/${at}`);
    return r === null ? '' : typeof r === 'string' ? r : JSON.stringify(r);
  };
  const secret = (name: string, at: string): Record<string, Json> => {
    const s = run.secrets[name];
    if (!s || typeof s !== 'object' || Array.isArray(s))
      throw configurationError(
        `secret '${name}' is not declared in use.secrets, not set for this namespace, or not an object`,
        `${pointer}/${at}`,
      );
    return s;
  };
  if (policy.basic) {
    const b = policy.basic.use ? secret(policy.basic.use, 'basic/use') : policy.basic;
    const user = text(b.username, 'basic/username');
    const pass = text(b.password, 'basic/password');
    return `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
  }
  if (policy.bearer) {
    const b = policy.bearer.use ? secret(policy.bearer.use, 'bearer/use') : policy.bearer;
    return `Bearer ${text(b.token, 'bearer/token')}`;
  }
  throw configurationError('only basic and bearer authentication are supported', pointer);
}
