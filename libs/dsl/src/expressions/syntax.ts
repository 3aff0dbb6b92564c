import { DefinitionError, type Violation } from '../errors';
import type { TaskDef } from '../types';
import { escapePointer } from '../parse';
import { walkTasks } from '../walk';
import { expressionText, isExpression } from './expr';
import { compilePath } from './path';

interface JqWeb {
  raw(json: string, filter: string, flags?: string[]): string;
}

let jq: JqWeb | undefined;
const cache = new Map<string, string | null>();
const CACHE_MAX = 10_000;
/**
 * Expressions compiled for one definition at the most: each costs real jq about a millisecond of the api's
 * time, and a definition of 200 KB can hold thousands (plain paths, evaluated inline, cost nothing).
 */
export const MAX_CHECKED_EXPRESSIONS = 500;
const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Load real jq (jq-web, WebAssembly) once; whoever accepts definitions does it at start. */
export async function loadJqSyntax(): Promise<void> {
  // jq-web is CommonJS, untyped, and exports a promise of the loaded module (an import() would wrap it)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jq ??= await (require('jq-web') as Promise<JqWeb>);
}

/**
 * Why real jq cannot compile `text`, or null. The expression is compiled, never run: it stands in the
 * branch of an `if false` that jq type-checks but does not take, with every `$variable` it names bound (a
 * variable's scope is the interpreter's business; only the grammar is judged here).
 */
export function jqSyntaxError(text: string): string | null {
  if (!jq) throw new Error('jq is not loaded: call loadJqSyntax() first');
  const known = cache.get(text);
  if (known !== undefined) return known;
  const vars = [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]))].filter(
    (v) => v !== '__loc__' && v !== 'ENV' && v !== '__prog_args',
  );
  const program = `${vars.map((v) => `null as $${v} | `).join('')}if false then (${text}\n) else null end`;
  let error: string | null = null;
  try {
    jq.raw('null', program, ['-c']);
  } catch (err) {
    const lines = String((err as Error).message)
      .split('\n')
      .filter((l) => l.startsWith('jq: error'));
    error = lines.length
      ? lines
          .map((l) =>
            l
              .replace(/^jq: error(: )?/, '')
              .replace(/ \(Unix shell quoting issues\?\)/, '')
              .replace(/ at <top-level>, line \d+:$/, ''),
          )
          .join('; ')
      : 'jq cannot compile it';
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(text, error);
  return error;
}

/** Fields whose string is an expression even without `${ }`, by task kind. */
function bareFields(task: TaskDef, pointer: string, out: [string, string][]): void {
  const add = (v: unknown, p: string) => {
    if (typeof v === 'string' && !isExpression(v)) out.push([p, v]);
  };
  add(task.if, `${pointer}/if`);
  add(task.input?.from, `${pointer}/input/from`);
  add(task.output?.as, `${pointer}/output/as`);
  add(task.export?.as, `${pointer}/export/as`);
  add(task.for?.in, `${pointer}/for/in`);
  add(task.while, `${pointer}/while`);
  if (Array.isArray(task.switch)) {
    task.switch.forEach((c: Record<string, TaskDef>, i: number) => {
      for (const [name, body] of Object.entries(c ?? {}))
        add(body?.when, `${pointer}/switch/${i}/${escapePointer(name)}/when`);
    });
  }
  for (const [v, p] of [
    [task.catch?.when, '/catch/when'],
    [task.catch?.exceptWhen, '/catch/exceptWhen'],
    [task.catch?.retry?.when, '/catch/retry/when'],
    [task.catch?.retry?.exceptWhen, '/catch/retry/exceptWhen'],
  ] as const) {
    add(v, `${pointer}${p}`);
  }
}

/** Every `${ }` string of a value, with its pointer (JSON Schemas, which are data, are left out). */
function wrapped(value: unknown, pointer: string, out: [string, string][]): void {
  if (typeof value === 'string') {
    const text = expressionText(value);
    if (text !== null) out.push([pointer, text]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => wrapped(v, `${pointer}/${i}`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'schema' && v && typeof v === 'object' && 'document' in v) continue;
      wrapped(v, `${pointer}/${escapePointer(k)}`, out);
    }
  }
}

/** Pointers in the order of the document: list indexes compared as numbers. */
function documentOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const m = Number(x[i]);
    const n = Number(y[i]);
    if (Number.isInteger(m) && Number.isInteger(n)) return m - n;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** Compile every expression of a validated definition with real jq; throws a DefinitionError listing each that does not compile. */
export function checkExpressions(doc: unknown): void {
  const found: [string, string][] = [];
  wrapped(doc, '', found);
  const d = doc as TaskDef;
  if (typeof d.input?.from === 'string' && !isExpression(d.input.from)) found.push(['/input/from', d.input.from]);
  if (typeof d.output?.as === 'string' && !isExpression(d.output.as)) found.push(['/output/as', d.output.as]);
  walkTasks(doc, (pointer, _name, task) => bareFields(task, pointer, found));
  const violations: Violation[] = [];
  // a plain path is evaluated inline and is valid jq as it stands: only the rest goes to jq, and is bounded
  const toCompile = found.filter(([, text]) => compilePath(text) === null);
  const distinct = new Set(toCompile.map(([, text]) => text)).size;
  if (distinct > MAX_CHECKED_EXPRESSIONS) {
    throw new DefinitionError(
      `definition has ${distinct} distinct expressions other than plain paths; at most ${MAX_CHECKED_EXPRESSIONS} are accepted`,
    );
  }
  for (const [pointer, text] of toCompile.sort((a, b) => documentOrder(a[0], b[0]))) {
    const error = jqSyntaxError(text);
    if (error)
      violations.push({
        pointer,
        message: `the expression '${text.length > 80 ? `${text.slice(0, 80)}…` : text}' does not compile: ${error}`,
      });
  }
  if (violations.length) throw new DefinitionError('definition has expressions jq cannot compile', violations);
}
