import { UnsupportedFeatureError } from './errors';
import { escapePointer } from './parse';
import type { TaskDef, WorkflowDocument } from './types';
import { taskKind, walkTasks } from './walk';

export interface SupportReport {
  /** Features this runtime does not run, with where they are used. */
  unsupported: { feature: string; pointer: string }[];
  /** Accepted, with what becomes of it (e.g. `schedule`: a registered definition's cron or every creates its schedule). */
  notes: { feature: string; pointer: string; note: string }[];
}

const UNSUPPORTED_AUTH = ['oauth2', 'oidc', 'digest', 'certificate'];

/** What in a schema-valid document this runtime cannot run. */
export function describeSupport(doc: WorkflowDocument): SupportReport {
  const unsupported: SupportReport['unsupported'] = [];
  const notes: SupportReport['notes'] = [];
  const add = (feature: string, pointer: string) => unsupported.push({ feature, pointer });
  if (doc.use?.catalogs) add('catalogs (use.catalogs)', '/use/catalogs');
  if (doc.use?.extensions) add('extensions (use.extensions)', '/use/extensions');
  if (doc.evaluate?.language && doc.evaluate.language !== 'jq')
    add(`expression language ${doc.evaluate.language}`, '/evaluate/language');
  if (doc.evaluate?.mode === 'loose') add('loose expression mode', '/evaluate/mode');
  if (doc.schedule) {
    const s = doc.schedule as { on?: unknown };
    const note =
      s.on === undefined
        ? 'registered (POST /v1/definitions), the definition starts on its schedule (GET /v1/schedules)'
        : 'registered (POST /v1/definitions), each matching event (POST /v1/events) starts a task';
    notes.push({ feature: 'schedule', pointer: '/schedule', note });
  }
  for (const [name, policy] of Object.entries(doc.use?.authentications ?? {}))
    authPolicy(policy, `/use/authentications/${escapePointer(name)}`, add);
  schemas(doc, '', add);
  walkTasks(doc, (pointer, _name, task) => {
    schemas(task, pointer, add);
    const kind = taskKind(task);
    if (kind === 'call') {
      const call = String(task.call);
      if (call === 'http') {
        const endpoint = task.with?.endpoint;
        if (endpoint && typeof endpoint === 'object' && endpoint.authentication) {
          authPolicy(endpoint.authentication, `${pointer}/with/endpoint/authentication`, add);
        }
      } else if (call === 'openapi') {
        const endpoint = task.with?.document?.endpoint;
        if (endpoint && typeof endpoint === 'object' && endpoint.authentication) {
          authPolicy(endpoint.authentication, `${pointer}/with/document/endpoint/authentication`, add);
        }
        if (task.with?.authentication) authPolicy(task.with.authentication, `${pointer}/with/authentication`, add);
      } else if (['grpc', 'asyncapi', 'a2a', 'mcp'].includes(call)) add(`call ${call}`, `${pointer}/call`);
      else if (call.includes('@')) add('catalog function call', `${pointer}/call`);
      else if (doc.use?.functions?.[call]) {
        // a function of use.functions: runs as its own task, checked where it is declared
      } else add('custom function call', `${pointer}/call`);
    } else if (kind === 'run') {
      const run = task.run ?? {};
      for (const process of ['container', 'script', 'shell'])
        if (run[process]) add(`run ${process}`, `${pointer}/run/${process}`);
      if (run.workflow && run.await === false) add('run workflow without await', `${pointer}/run/await`);
    }
  });
  return { unsupported, notes };
}

export function checkSupport(doc: WorkflowDocument): void {
  const { unsupported } = describeSupport(doc);
  if (unsupported.length) throw new UnsupportedFeatureError(unsupported);
}

function authPolicy(policy: TaskDef | undefined, pointer: string, add: (f: string, p: string) => void): void {
  if (!policy || typeof policy !== 'object') return;
  for (const scheme of UNSUPPORTED_AUTH)
    if (policy[scheme])
      add(
        `${scheme === 'oidc' ? 'OIDC' : scheme === 'oauth2' ? 'OAuth2' : scheme} authentication`,
        `${pointer}/${scheme}`,
      );
}

function schemas(holder: TaskDef | undefined, pointer: string, add: (f: string, p: string) => void): void {
  for (const part of ['input', 'output', 'export']) {
    const schema = holder?.[part]?.schema;
    if (!schema) continue;
    if (schema.format && schema.format !== 'json' && !String(schema.format).startsWith('json:'))
      add(`schema format ${schema.format}`, `${pointer}/${part}/schema/format`);
    else if (schema.resource && !schema.document) add('external schema resource', `${pointer}/${part}/schema/resource`);
  }
}
