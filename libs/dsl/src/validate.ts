import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { DefinitionError, type Violation } from './errors';
import { checkSupport } from './support';
import type { WorkflowDocument } from './types';
import { taskKind, walkTasks } from './walk';

export const SCHEMA_ID = 'https://serverlessworkflow.io/schemas/1.0.3/workflow.yaml';

let ajv: Ajv2020 | undefined;
let validateDoc: ValidateFunction | undefined;

function schemaPath(): string {
  const candidates = [
    join(__dirname, '..', 'schema', 'workflow.yaml'),
    join(__dirname, '..', '..', '..', '..', 'libs', 'dsl', 'schema', 'workflow.yaml'),
    join(process.cwd(), 'libs', 'dsl', 'schema', 'workflow.yaml'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`workflow schema not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The Ajv instance holding the DSL schema, compiled once. */
export function dslAjv(): { ajv: Ajv2020; validate: ValidateFunction } {
  if (!ajv || !validateDoc) {
    const instance = new Ajv2020({ allErrors: true, strict: false });
    addFormats(instance);
    validateDoc = instance.compile(parseYaml(readFileSync(schemaPath(), 'utf8')));
    ajv = instance;
  }
  return { ajv, validate: validateDoc };
}

/**
 * Check a parsed definition against the DSL 1.0.3 schema (DefinitionError listing each violation), then
 * against what this runtime runs (UnsupportedFeatureError naming each feature and where it is used).
 */
export function validateWorkflow(doc: unknown): WorkflowDocument {
  const { validate } = dslAjv();
  if (!validate(doc)) {
    throw new DefinitionError(
      'definition does not follow the Serverless Workflow DSL 1.0.3 schema',
      explain(doc, validate.errors ?? []),
    );
  }
  checkSupport(doc as WorkflowDocument);
  return doc as WorkflowDocument;
}

// the schema's sub-schema for each task kind, so a bad task is explained by its own kind's rules rather than
// by every branch of the task oneOf
const CALL_BRANCH: Record<string, number> = { asyncapi: 0, grpc: 1, http: 2, openapi: 3, a2a: 4, mcp: 5 };
function kindSchemaRef(task: Record<string, unknown>): string | null {
  const kind = taskKind(task);
  if (!kind) return null;
  if (kind === 'call') {
    const call = String(task.call);
    return `${SCHEMA_ID}#/$defs/callTask/oneOf/${CALL_BRANCH[call] ?? 6}`;
  }
  return `${SCHEMA_ID}#/$defs/${kind}Task`;
}

/** Ajv's errors as readable violations: the most specific explanation of each bad task, deduplicated. */
export function explain(doc: unknown, errors: ErrorObject[]): Violation[] {
  const { ajv: instance } = dslAjv();
  const failing = new Set(errors.map((e) => e.instancePath));
  const touched = (p: string) => [...failing].some((f) => f === p || f.startsWith(`${p}/`));
  // tasks with errors at or under them, innermost first
  const tasks: { pointer: string; task: Record<string, unknown> }[] = [];
  walkTasks(doc, (pointer, _name, task) => {
    if (touched(pointer)) tasks.push({ pointer, task: task as Record<string, unknown> });
  });
  tasks.sort((a, b) => b.pointer.length - a.pointer.length);
  const out: Violation[] = [];
  const explained: string[] = [];
  for (const { pointer, task } of tasks) {
    if (explained.some((p) => p.startsWith(`${pointer}/`) || p === pointer)) {
      explained.push(pointer);
      continue;
    }
    const ref = kindSchemaRef(task);
    const sub = ref ? instance.getSchema(ref) : undefined;
    if (sub && !sub(task)) {
      out.push(...reduce((sub.errors ?? []).map((e) => ({ ...e, instancePath: pointer + e.instancePath }))));
      explained.push(pointer);
    } else if (!ref) {
      out.push({
        pointer,
        message: `must be one task: one of call, do, emit, for, fork, listen, raise, run, set, switch, try, wait`,
      });
      explained.push(pointer);
    }
  }
  const rest = errors.filter(
    (e) =>
      !explained.some(
        (p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`) || p.startsWith(`${e.instancePath}/`),
      ),
  );
  out.push(...reduce(rest));
  const seen = new Set<string>();
  return out.filter((v) => {
    const key = `${v.pointer}\u0000${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Drop oneOf/anyOf summaries when a deeper error says more; keep one message per pointer and reason. */
function reduce(errors: ErrorObject[]): Violation[] {
  const deeper = (p: string) =>
    errors.some((e) => e.instancePath.startsWith(`${p}/`) || (e.instancePath === p && !isSummary(e)));
  const kept = errors.filter((e) => !(isSummary(e) && deeper(e.instancePath)));
  // several oneOf branches each missing a property: say which properties would do
  const missing = new Map<string, Set<string>>();
  const out: Violation[] = [];
  for (const e of kept) {
    if (e.keyword === 'required') {
      const set = missing.get(e.instancePath) ?? new Set<string>();
      set.add(String((e.params as { missingProperty?: string }).missingProperty));
      missing.set(e.instancePath, set);
      continue;
    }
    out.push({ pointer: e.instancePath, message: message(e) });
  }
  for (const [pointer, props] of missing) {
    const list = [...props].map((p) => `'${p}'`);
    out.push({
      pointer,
      message:
        list.length === 1
          ? `must have required property ${list[0]}`
          : `must have the required properties of one of its forms (${list.join(', ')})`,
    });
  }
  return out;
}

function isSummary(e: ErrorObject): boolean {
  return e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if';
}

function message(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'unevaluatedProperties':
    case 'additionalProperties':
      return `must NOT have the property '${String(p.unevaluatedProperty ?? p.additionalProperty)}'`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}
