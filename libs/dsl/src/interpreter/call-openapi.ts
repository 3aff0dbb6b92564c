import { http, type HttpResponse, type Json } from '@yieldflow/runtime';
import { parse as parseYaml } from 'yaml';
import { configurationError } from '../errors';
import { isExpression } from '../expressions/expr';
import type { JsonObject, TaskDef } from '../types';
import { expandUriTemplate } from '../uri-template';
import { atTask, authorization, send } from './call-http';
import { args, bounded, type Flow, type Gen, type Run, type Scope } from './run';

/**
 * `call: openapi`. Two effects, both journaled by the engine: a GET of the OpenAPI (3.x) or Swagger (2.0)
 * document, JSON or YAML, fetched once per run and URI; then the operation named by `operationId`, its URL,
 * headers and body built from the evaluated `parameters` as the operation declares them. The answer is
 * shaped as for `call: http` (`output`, `redirect`).
 */
export function* runOpenApi(
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
  const endpoint = w.document?.endpoint;
  const uriDef: string = typeof endpoint === 'string' ? endpoint : endpoint?.uri;
  const docUri = isExpression(uriDef)
    ? String(run.ex.deep(uriDef, input, a, `${at}/document/endpoint`))
    : expandUriTemplate(uriDef, input);
  if (!isAbsoluteUrl(docUri))
    throw configurationError(`the OpenAPI document URI '${docUri}' is not an absolute URL`, `${at}/document/endpoint`);
  const docHeaders: Record<string, string> = {};
  const docAuth = typeof endpoint === 'object' ? endpoint.authentication : undefined;
  if (docAuth)
    docHeaders.Authorization = authorization(run, docAuth, input, a, `${at}/document/endpoint/authentication`);
  const doc = yield* fetchDocument(run, pointer, docUri, docHeaders);

  const operationId = String(w.operationId);
  const found = findOperation(doc, operationId, `${at}/document`);
  if (!found)
    throw configurationError(`no operation '${operationId}' in the OpenAPI document ${docUri}`, `${at}/operationId`);
  const values = w.parameters === undefined ? {} : run.ex.deep(w.parameters, input, a, `${at}/parameters`);
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw configurationError('parameters must evaluate to an object', `${at}/parameters`);
  const swagger2 = typeof doc.swagger === 'string';
  const request = buildRequest(doc, found, values, swagger2, docUri, `${at}/parameters`);
  if (w.authentication)
    request.headers.Authorization = authorization(run, w.authentication, input, a, `${at}/authentication`);
  return yield* send(run, pointer, { ...request, redirect: w.redirect === true }, w.output ?? 'content');
}

function* fetchDocument(run: Run, pointer: string, uri: string, headers: Record<string, string>): Gen<JsonObject> {
  const key = JSON.stringify([uri, headers.Authorization ?? null]);
  const cached = run.documents?.get(key);
  if (cached) return cached as JsonObject;
  let res: HttpResponse;
  try {
    res = yield bounded(
      run,
      http(
        {
          method: 'GET',
          url: uri,
          headers: { Accept: 'application/json, application/yaml, text/yaml, */*', ...headers },
          redirect: true,
        },
        { attempts: 1 },
      ),
    );
  } catch (err) {
    throw atTask(err, pointer);
  }
  const doc = parseDocument(res.body);
  if (typeof doc === 'string')
    throw configurationError(`the OpenAPI document at ${uri} could not be read: ${doc}`, `${pointer}/with/document`);
  (run.documents ??= new Map()).set(key, doc);
  return doc;
}

/** The document as an object, or why it is not an OpenAPI / Swagger document. */
export function parseDocument(body: Json): JsonObject | string {
  let doc: unknown = body;
  if (typeof body === 'string') {
    try {
      doc = parseYaml(body);
    } catch (err) {
      return (err as Error).message.split('\n')[0];
    }
  }
  if (!isObject(doc)) return 'it is not a JSON or YAML object';
  if (typeof doc.openapi !== 'string' && typeof doc.swagger !== 'string')
    return "it has neither an 'openapi' nor a 'swagger' version";
  if (!isObject(doc.paths)) return "it has no 'paths'";
  return doc;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  path: string;
  method: string;
  op: JsonObject;
  item: JsonObject;
}

function findOperation(doc: JsonObject, operationId: string, pointer: string): Operation | undefined {
  for (const [path, raw] of Object.entries(doc.paths as JsonObject)) {
    const item = resolve(doc, raw, pointer);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (isObject(op) && op.operationId === operationId) return { path, method, op, item };
    }
  }
  return undefined;
}

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Json;
}

function buildRequest(
  doc: JsonObject,
  { path, method, op, item }: Operation,
  values: JsonObject,
  swagger2: boolean,
  docUri: string,
  pointer: string,
): Built {
  // path-level parameters, overridden by the operation's own of the same name and location
  const declared = new Map<string, JsonObject>();
  for (const raw of [...list(item.parameters), ...list(op.parameters)]) {
    const p = resolve(doc, raw, pointer);
    if (isObject(p) && typeof p.name === 'string' && typeof p.in === 'string') declared.set(`${p.in}:${p.name}`, p);
  }
  let resolvedPath = path;
  const query: [string, string][] = [];
  const form: [string, string][] = [];
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const used = new Set<string>();
  let body: Json | undefined;
  for (const p of declared.values()) {
    const name = p.name as string;
    const has = Object.prototype.hasOwnProperty.call(values, name) && values[name] !== null;
    if (!has) {
      if (p.in === 'path') throw configurationError(`the path parameter '${name}' is missing`, pointer);
      continue;
    }
    used.add(name);
    const v = values[name];
    switch (p.in) {
      case 'path':
        resolvedPath = resolvedPath.split(`{${name}}`).join(pathValue(v, p.explode === true));
        break;
      case 'query':
        query.push(...queryPairs(name, v, p, swagger2));
        break;
      case 'header':
        headers[name] = items(v, p.explode === true).join(',');
        break;
      case 'cookie':
        cookies.push(`${name}=${encodeURIComponent(items(v, false).join(','))}`);
        break;
      case 'formData':
        for (const t of Array.isArray(v) && p.collectionFormat === 'multi' ? v : [v])
          form.push([name, Array.isArray(t) ? t.map(text).join(delimiter(p.collectionFormat)) : text(t)]);
        break;
      case 'body':
        body = v;
        break;
    }
  }
  if (cookies.length) headers.Cookie = cookies.join('; ');

  // the body: a Swagger body parameter by its name, else `body`, else the parameters the operation does not declare
  let mediaType: string | undefined;
  const requestBody = swagger2 ? undefined : resolve(doc, op.requestBody, pointer);
  const takesBody = swagger2 ? [...declared.values()].some((p) => p.in === 'body') : isObject(requestBody);
  if (takesBody && body === undefined) {
    if (Object.prototype.hasOwnProperty.call(values, 'body') && !used.has('body')) body = values.body;
    else {
      const rest = Object.entries(values).filter(([k]) => !used.has(k));
      if (rest.length) body = Object.fromEntries(rest);
    }
  }
  if (swagger2) {
    const consumes = strings(op.consumes ?? doc.consumes);
    if (form.length) {
      mediaType = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    } else if (body !== undefined) mediaType = pick(consumes) ?? 'application/json';
  } else if (body !== undefined && isObject(requestBody)) {
    mediaType = pick(Object.keys(isObject(requestBody.content) ? requestBody.content : {})) ?? 'application/json';
  }
  if (body !== undefined && mediaType) {
    headers['Content-Type'] = mediaType;
    if (mediaType.startsWith('application/x-www-form-urlencoded') && isObject(body)) {
      body = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, text(v)])).toString();
    }
  }
  const accept = swagger2 ? strings(op.produces ?? doc.produces) : responseTypes(doc, op, pointer);
  if (accept.length) headers.Accept = accept.join(', ');

  let url = baseUrl(doc, op, item, swagger2, docUri).replace(/\/+$/, '') + resolvedPath;
  const qs = new URLSearchParams(query).toString();
  if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  return { method: method.toUpperCase(), url, headers, ...(body === undefined ? {} : { body }) };
}

/**
 * Swagger 2.0: `schemes` (the document's own scheme if listed, else https, else the first), `host` (the
 * document's by default) and `basePath`. OpenAPI 3: the first of the operation's, path's or document's
 * `servers` (its variables at their defaults), resolved against the document's URL; `/` by default.
 */
function baseUrl(doc: JsonObject, op: JsonObject, item: JsonObject, swagger2: boolean, docUri: string): string {
  const docUrl = new URL(docUri);
  if (swagger2) {
    const own = docUrl.protocol.slice(0, -1);
    const schemes = strings(doc.schemes);
    const scheme =
      schemes.length === 0 || schemes.includes(own) ? own : schemes.includes('https') ? 'https' : schemes[0];
    const host = typeof doc.host === 'string' && doc.host ? doc.host : docUrl.host;
    const basePath = typeof doc.basePath === 'string' ? doc.basePath : '/';
    return `${scheme}://${host}${basePath.startsWith('/') ? '' : '/'}${basePath}`;
  }
  const servers = [op.servers, item.servers, doc.servers].find((s) => Array.isArray(s) && s.length) as
    Json[] | undefined;
  const server = servers && isObject(servers[0]) ? servers[0] : { url: '/' };
  const variables = isObject(server.variables) ? server.variables : {};
  const template = typeof server.url === 'string' ? server.url : '/';
  const expanded = template.replace(/\{([^{}]+)\}/g, (m, name: string) => {
    const v = variables[name];
    return isObject(v) && v.default !== undefined && v.default !== null ? text(v.default) : m;
  });
  return new URL(expanded, docUrl).toString();
}

/** Query parameters: Swagger's `collectionFormat` (csv by default), OpenAPI 3's `style` (form, exploded, by default). */
function queryPairs(name: string, v: Json, p: JsonObject, swagger2: boolean): [string, string][] {
  if (swagger2) {
    if (!Array.isArray(v)) return [[name, text(v)]];
    return p.collectionFormat === 'multi'
      ? v.map((e) => [name, text(e)])
      : [[name, v.map(text).join(delimiter(p.collectionFormat))]];
  }
  const style = typeof p.style === 'string' ? p.style : 'form';
  const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
  if (Array.isArray(v)) {
    if (style === 'form' && explode) return v.map((e) => [name, text(e)]);
    const sep = style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ',';
    return [[name, v.map(text).join(sep)]];
  }
  if (isObject(v)) {
    if (style === 'deepObject') return Object.entries(v).map(([k, e]) => [`${name}[${k}]`, text(e)]);
    if (explode) return Object.entries(v).map(([k, e]) => [k, text(e)]);
    return [
      [
        name,
        Object.entries(v)
          .flatMap(([k, e]) => [k, text(e)])
          .join(','),
      ],
    ];
  }
  return [[name, text(v)]];
}

/** A path parameter in the simple style: each item encoded, joined by commas. */
function pathValue(v: Json, explode: boolean): string {
  if (isObject(v))
    return Object.entries(v)
      .map(([k, e]) =>
        explode
          ? `${encodeURIComponent(k)}=${encodeURIComponent(text(e))}`
          : `${encodeURIComponent(k)},${encodeURIComponent(text(e))}`,
      )
      .join(',');
  return items(v, explode).map(encodeURIComponent).join(',');
}

function items(v: Json, explode: boolean): string[] {
  if (Array.isArray(v)) return v.map(text);
  if (isObject(v)) return Object.entries(v).flatMap(([k, e]) => (explode ? [`${k}=${text(e)}`] : [k, text(e)]));
  return [text(v)];
}

function delimiter(collectionFormat: Json | undefined): string {
  return collectionFormat === 'ssv'
    ? ' '
    : collectionFormat === 'tsv'
      ? '\t'
      : collectionFormat === 'pipes'
        ? '|'
        : ',';
}

/** The media types the operation's responses declare (OpenAPI 3). */
function responseTypes(doc: JsonObject, op: JsonObject, pointer: string): string[] {
  const out = new Set<string>();
  for (const raw of Object.values(isObject(op.responses) ? op.responses : {})) {
    const r = resolve(doc, raw, pointer);
    if (isObject(r) && isObject(r.content)) for (const t of Object.keys(r.content)) out.add(t);
  }
  return [...out];
}

/** JSON if offered, else the first. */
function pick(types: string[]): string | undefined {
  return types.find((t) => /^application\/(.+\+)?json/.test(t)) ?? types[0];
}

/** A local `$ref` (`#/...`) followed to what it names; other references are not fetched. */
function resolve(doc: JsonObject, v: Json | undefined, pointer: string): Json | undefined {
  let cur = v;
  for (let hops = 0; isObject(cur) && typeof cur.$ref === 'string'; hops++) {
    const ref = cur.$ref;
    if (!ref.startsWith('#/'))
      throw configurationError(
        `the OpenAPI document refers to '${ref}': only references within the document are followed`,
        pointer,
      );
    if (hops >= 16) throw configurationError(`the OpenAPI reference '${ref}' does not resolve (a cycle?)`, pointer);
    let target: Json | undefined = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) ? target[key] : Array.isArray(target) ? target[Number(key)] : undefined;
    }
    if (target === undefined)
      throw configurationError(`the OpenAPI reference '${ref}' names nothing in the document`, pointer);
    cur = target;
  }
  return cur;
}

function text(v: Json | undefined): string {
  return v === null || v === undefined
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);
}

function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function isAbsoluteUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
