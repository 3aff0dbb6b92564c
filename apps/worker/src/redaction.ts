import type { Json } from '@yieldflow/runtime';

export const REDACTED = '[redacted]';
const MARK = /\[redacted:[^\]]*\]/g;
/** Secret strings shorter than this are not looked for: they cannot be told apart from ordinary text. */
const MIN_LENGTH = 4;

interface Form {
  /** The text looked for. */
  text: string;
  /** What seal writes for it, or undefined when it cannot be told apart from another form (then it is redacted). */
  mark?: string;
}

/**
 * Keeps the workflows' `$secrets` out of what is stored: every occurrence of a secret's value, in any
 * string (or object key) of a value, becomes "[redacted]", and so does every encoded form an expression can
 * make of it in one step (see encodedForms: base64, base32, hex, URI, JSON, @sh, @html, @csv, @tsv, any
 * letter case of the value), as does an array of code points (`explode`) that spells one. The effect a
 * worker still has to perform (an HTTP call carrying a secret) is stored sealed instead, each occurrence
 * marked with the secret's name and form ("[redacted:acme.apiKey]", "[redacted:acme.apiKey:base64]") and
 * unsealed only by a worker holding the secrets. A mark that was already in the value (say, in a task's
 * input) is neutralised first, so no one can forge one to pull a secret out.
 */
export class Redactor {
  private readonly forms: Form[] = [];
  private readonly byMark = new Map<string, string>();
  /** Every form, exact: what seal marks. */
  private readonly exact?: RegExp;
  /** Every form, in any letter case: what is redacted. */
  private readonly anyCase?: RegExp;
  /** The same, on JSON text (forms as JSON escapes them): the cheap test of whether a text needs redacting. */
  private readonly inJson?: RegExp;
  private readonly byText = new Map<string, Form>();

  constructor(secrets: Record<string, Json> = {}) {
    const visit = (v: Json, path: string): void => {
      if (typeof v === 'string' || typeof v === 'number') {
        const s = String(v);
        if (s.length >= MIN_LENGTH) this.add(s, path);
      } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
    };
    visit(secrets as Json, '');
    if (this.forms.length === 0) return;
    this.forms.sort((a, b) => b.text.length - a.text.length);
    const alternatives = (f: (s: string) => string) => this.forms.map((x) => escapeRegExp(f(x.text))).join('|');
    this.exact = new RegExp(
      alternatives((s) => s),
      'g',
    );
    this.anyCase = new RegExp(
      alternatives((s) => s),
      'gi',
    );
    this.inJson = new RegExp(alternatives(escaped), 'i');
  }

  get active(): boolean {
    return this.forms.length > 0;
  }

  /** A JSON text with every secret redacted (the text itself when none occurs: the common case costs a scan). */
  text(json: string): string;
  text(json: string | undefined): string | undefined;
  text(json: string | undefined): string | undefined {
    if (json === undefined || !this.mayHold(json)) return json;
    const v = JSON.parse(json) as Json;
    const out = map(
      v,
      (s) => this.redact(s),
      (cp) => this.spells(cp),
    );
    return out === v ? json : JSON.stringify(out);
  }

  /** A copy of `v` with every secret redacted (`v` itself when none occurs). */
  value<T>(v: T): T {
    if (!this.active || (typeof v === 'object' && v !== null && !this.mayHold(JSON.stringify(v)))) return v;
    return map(
      v,
      (s) => this.redact(s),
      (cp) => this.spells(cp),
    ) as T;
  }

  /** A JSON text of `v`, each secret replaced by its mark (see unseal). */
  seal(v: unknown): string {
    if (!this.active) return JSON.stringify(v);
    return JSON.stringify(
      map(
        v,
        (s) => this.redact(s.replace(MARK, REDACTED), true),
        (cp) => this.spells(cp),
      ),
    );
  }

  /** The value a sealed text was made from. */
  unseal<T>(json: string): T {
    const v = JSON.parse(json) as T;
    if (!this.active || !json.includes('[redacted:')) return v;
    return map(v, (s) => s.replace(MARK, (m) => this.byMark.get(m) ?? REDACTED)) as T;
  }

  /** Whether a JSON text may hold a secret: one scan, so what holds none costs little. */
  private mayHold(json: string): boolean {
    return this.active && (this.inJson!.test(json) || CODE_POINTS.test(json));
  }

  private add(value: string, name: string): void {
    const base = `redacted:${name.replace(/\]/g, '')}`;
    for (const [form, text] of encodedForms(value)) {
      if (text.length < MIN_LENGTH || this.byText.has(text)) continue;
      const mark = form === '' ? `[${base}]` : `[${base}:${form}]`;
      const f: Form = { text };
      if (!this.byMark.has(mark)) {
        f.mark = mark;
        this.byMark.set(mark, text);
      }
      this.forms.push(f);
      this.byText.set(text, f);
    }
  }

  private redact(s: string, mark = false): string {
    if (mark) s = s.replace(this.exact!, (m) => this.byText.get(m)?.mark ?? REDACTED);
    return s.replace(this.anyCase!, REDACTED);
  }

  /** Whether an array of code points (what `explode` makes) spells a secret. */
  private spells(codePoints: number[]): boolean {
    const text = String.fromCodePoint(...codePoints);
    this.anyCase!.lastIndex = 0;
    return this.anyCase!.test(text);
  }
}

const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);
/** An array of four or more integers in a JSON text: maybe an exploded secret. */
const CODE_POINTS = /\[\d+(?:,\d+){3,}\]/;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const isCodePoints = (v: unknown[]): v is number[] =>
  v.length >= MIN_LENGTH && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0x10ffff);

/** `v` with `f` applied to every string, number and key; the same object where nothing changed. */
function map(v: unknown, f: (s: string) => string, spells?: (codePoints: number[]) => boolean): unknown {
  if (typeof v === 'string') return f(v);
  if (typeof v === 'number') {
    const s = f(String(v));
    return s === String(v) ? v : s;
  }
  if (Array.isArray(v)) {
    if (spells && isCodePoints(v) && spells(v)) return REDACTED;
    const out = v.map((x) => map(x, f, spells));
    return out.every((x, i) => x === v[i]) ? v : out;
  }
  if (v && typeof v === 'object') {
    let changed = false;
    const entries = Object.entries(v).map(([k, x]): [string, unknown] => {
      const e: [string, unknown] = [f(k), map(x, f, spells)];
      if (e[0] !== k || e[1] !== x) changed = true;
      return e;
    });
    // fromEntries defines keys, so a `__proto__` key stays a key
    return changed ? Object.fromEntries(entries) : v;
  }
  return v;
}

/**
 * The forms of a secret one jq step can make, by name ('' for the value itself): letter case, base64
 * (standard and url-safe, padded or not, and the part of it that is the same wherever the value sits in a
 * longer text: `("Bearer " + $secrets.x) | @base64`), base32 likewise, hex in either case, @uri and the
 * other URI encodings, JSON (once or twice), @sh, @html, @csv and @tsv escapes.
 */
export function encodedForms(value: string): [string, string][] {
  const bytes = Buffer.from(value, 'utf8');
  const b64 = bytes.toString('base64');
  const url = (t: string) => t.replace(/\+/g, '-').replace(/\//g, '_');
  const forms: [string, string][] = [
    ['', value],
    ['lower', value.toLowerCase()],
    ['upper', value.toUpperCase()],
    ['base64', b64],
    ['base64np', b64.replace(/=+$/, '')],
    ['base64url', url(b64)],
    ['base64urlnp', url(b64).replace(/=+$/, '')],
    ['base32', base32(bytes)],
    ['base32np', base32(bytes).replace(/=+$/, '')],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['uri', uri(value)],
    ['uric', safe(encodeURIComponent, value)],
    ['urix', safe(encodeURI, value)],
    ['json', escaped(value)],
    ['json2', escaped(escaped(value))],
    ['sh', value.replace(/'/g, "'\\''")],
    ['html', value.replace(/[<>&'"]/g, (c) => HTML[c])],
    ['htmlapos', value.replace(/[<>&'"]/g, (c) => (c === "'" ? '&apos;' : HTML[c]))],
    ['csv', value.replace(/"/g, '""')],
    ['tsv', value.replace(/[\\\t\n\r]/g, (c) => TSV[c])],
  ];
  cores(bytes, (b) => b.toString('base64'), 6, 3).forEach((c, k) =>
    forms.push([`base64@${k}`, c], [`base64url@${k}`, url(c)]),
  );
  cores(bytes, base32, 5, 5).forEach((c, k) => forms.push([`base32@${k}`, c]));
  return forms;
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' };
const TSV: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** jq's @uri: every byte but the unreserved characters percent-encoded. */
const uri = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** encodeURI(Component) throws on a lone surrogate: then the value itself stands in. */
function safe(encode: (s: string) => string, s: string): string {
  try {
    return encode(s);
  } catch {
    return s;
  }
}

/**
 * The characters of an encoding (`bits` a character, in groups of `group` bytes) that depend on the value's
 * bytes alone, for each offset the value can start at within a group: what appears whatever text surrounds it.
 */
function cores(bytes: Buffer, encode: (b: Buffer) => string, bits: number, group: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < group; k++) {
    const text = encode(Buffer.concat([Buffer.alloc(k), bytes]));
    out.push(text.slice(Math.ceil((8 * k) / bits), Math.floor((8 * (k + bytes.length)) / bits)));
  }
  return out;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 4648 base32, padded (jq's @base32). */
function base32(bytes: Buffer): string {
  let out = '';
  let acc = 0;
  let n = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    n += 8;
    while (n >= 5) {
      out += BASE32[(acc >>> (n - 5)) & 31];
      n -= 5;
    }
    acc &= (1 << n) - 1;
  }
  if (n > 0) out += BASE32[(acc << (5 - n)) & 31];
  return out + '='.repeat((8 - (out.length % 8)) % 8);
}

/**
 * A Redactor per namespace: a task's output is cleaned of its own namespace's secrets only, so no
 * submitter can learn whether a string is another namespace's secret by seeing it redacted.
 */
export class NamespaceRedactors {
  private readonly byNamespace = new Map<string, Redactor>();
  private readonly none = new Redactor();

  constructor(secrets: Record<string, Record<string, Json>> = {}) {
    for (const [ns, own] of Object.entries(secrets)) this.byNamespace.set(ns, new Redactor({ [ns]: own }));
  }

  for(namespace: string): Redactor {
    return this.byNamespace.get(namespace) ?? this.none;
  }
}
