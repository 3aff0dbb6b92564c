import type { Json } from '@yieldflow/runtime';

/**
 * The common case, evaluated on the calling thread: a plain path (`.`, `.a.b`, `.[0]`, `.["k"]`, `$input.a`)
 * cannot loop or allocate, so it needs no sandbox. Anything else goes to the bounded evaluator.
 */
export type PathFn = (input: Json, args: Record<string, Json>) => Json;

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

export function compilePath(expression: string): PathFn | null {
  const e = expression.trim();
  let root: string;
  let text: string;
  if (e === '.') return (input) => input;
  if (e.startsWith('.[')) {
    root = '.';
    text = e.slice(1);
  } else if (e.startsWith('.')) {
    root = '.';
    text = e;
  } else {
    const m = VARIABLE.exec(e);
    // jq's own variables are jq's business
    if (!m || m[1] === '__loc__' || m[1] === 'ENV') return null;
    root = m[0];
    text = e.slice(m[0].length);
  }
  const keys: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  let consumed = 0;
  for (let s = SEGMENT.exec(text); s; s = SEGMENT.exec(text)) {
    if (s.index !== consumed) return null;
    consumed = SEGMENT.lastIndex;
    if (s[1] !== undefined) keys.push(s[1]);
    else if (s[2] !== undefined) keys.push(Number(s[2]));
    else keys.push(JSON.parse(s[3]) as string);
  }
  if (consumed !== text.length) return null;
  const variable = root === '.' ? null : root.slice(1);
  return (input, args) => {
    let v: Json;
    if (variable === null) v = input;
    else {
      if (!Object.prototype.hasOwnProperty.call(args, variable)) throw new Error(`$${variable} is not defined`);
      v = args[variable];
    }
    for (const k of keys) v = index(v, k);
    return v;
  };
}

function index(v: Json, k: string | number): Json {
  if (v === null) return null;
  if (typeof k === 'number') {
    if (!Array.isArray(v)) throw new Error(`Cannot index ${jqType(v)} with number`);
    return v[k] ?? null;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`Cannot index ${jqType(v)} with "${k}"`);
  return Object.prototype.hasOwnProperty.call(v, k) ? v[k] : null;
}

export function jqType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
