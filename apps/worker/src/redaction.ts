import type { Json } from '@yieldflow/runtime';

export const REDACTED = '[redacted]';
const MARK = /\[redacted:[^\]]*\]/g;
/** Secret strings shorter than this are not looked for: they cannot be told apart from ordinary text. */
const MIN_LENGTH = 4;

/**
 * Keeps the workflows' `$secrets` out of what is stored: every occurrence of a secret's value, in any
 * string (or object key) of a value, becomes "[redacted]". The effect a worker still has to perform (an
 * HTTP call carrying a secret) is stored sealed instead, each occurrence marked with the secret's name
 * ("[redacted:apiKey]"), and unsealed only by a worker holding the secrets. A mark that was already in
 * the value (say, in a task's input) is neutralised first, so no one can forge one to pull a secret out.
 */
export class Redactor {
  /** [value, name], longest value first. */
  private readonly secrets: [string, string][] = [];
  private readonly byMark = new Map<string, string>();

  constructor(secrets: Record<string, Json> = {}) {
    const visit = (v: Json, path: string): void => {
      if (typeof v === 'string' || typeof v === 'number') {
        const s = String(v);
        if (s.length >= MIN_LENGTH) this.secrets.push([s, path]);
      } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
    };
    visit(secrets as Json, '');
    this.secrets.sort((a, b) => b[0].length - a[0].length);
    for (const [value, name] of this.secrets) this.byMark.set(`[redacted:${name.replace(/\]/g, '')}]`, value);
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** A JSON text with every secret redacted (the text itself when none occurs: the common case costs a scan). */
  text(json: string): string;
  text(json: string | undefined): string | undefined;
  text(json: string | undefined): string | undefined {
    if (json === undefined || !this.active || !this.secrets.some(([s]) => json.includes(escaped(s)))) return json;
    return JSON.stringify(this.value(JSON.parse(json) as Json));
  }

  /** A copy of `v` with every secret redacted. */
  value<T>(v: T): T {
    return this.active ? (map(v, (s) => this.redact(s)) as T) : v;
  }

  /** A JSON text of `v`, each secret replaced by its mark (see unseal). */
  seal(v: unknown): string {
    if (!this.active) return JSON.stringify(v);
    return JSON.stringify(map(v, (s) => this.redact(s.replace(MARK, REDACTED), true)));
  }

  /** The value a sealed text was made from. */
  unseal<T>(json: string): T {
    const v = JSON.parse(json) as T;
    if (!this.active || !json.includes('[redacted:')) return v;
    return map(v, (s) => s.replace(MARK, (m) => this.byMark.get(m) ?? REDACTED)) as T;
  }

  private redact(s: string, mark = false): string {
    for (const [value, name] of this.secrets) if (s.includes(value)) s = s.split(value).join(mark ? `[redacted:${name.replace(/\]/g, '')}]` : REDACTED);
    return s;
  }
}

const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);

function map(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (typeof v === 'number') {
    const s = f(String(v));
    return s === String(v) ? v : s;
  }
  if (Array.isArray(v)) return v.map((x) => map(x, f));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[f(k)] = map(x, f);
    return out;
  }
  return v;
}
