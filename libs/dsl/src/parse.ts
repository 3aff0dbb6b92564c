import { parse as parseYaml } from 'yaml';
import { DefinitionError } from './errors';

export interface ParseOptions {
  /** Largest accepted text, in bytes (default 256 KiB). */
  maxBytes?: number;
  /** Deepest accepted nesting of objects and arrays (default 64). */
  maxDepth?: number;
}

export const PARSE_DEFAULTS: Required<ParseOptions> = { maxBytes: 256 * 1024, maxDepth: 64 };

/** A definition as YAML or JSON text (JSON is YAML), or as an object; bounded in size and depth. */
export function parseWorkflow(body: string | object, opts: ParseOptions = {}): unknown {
  const { maxBytes, maxDepth } = { ...PARSE_DEFAULTS, ...opts };
  let doc: unknown;
  if (typeof body === 'string') {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) {
      throw new DefinitionError(`definition too large: ${size} bytes, the limit (maxBytes) is ${maxBytes}`, [
        { pointer: '', message: `must be at most ${maxBytes} bytes` },
      ]);
    }
    try {
      // aliases could expand a small text into a huge document: count them as nodes
      doc = parseYaml(body, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new DefinitionError(`definition is not valid YAML or JSON: ${msg}`, [
        { pointer: '', message: `must be YAML or JSON (${msg})` },
      ]);
    }
  } else if (body !== null && typeof body === 'object') {
    doc = body;
  } else {
    throw new DefinitionError('definition must be YAML or JSON text or an object', [
      { pointer: '', message: 'must be an object' },
    ]);
  }
  const deep = depthOver(doc, maxDepth);
  if (deep !== null) {
    throw new DefinitionError(`definition nests deeper than the limit (maxDepth) of ${maxDepth}`, [
      { pointer: deep, message: `must nest at most ${maxDepth} levels deep` },
    ]);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DefinitionError('definition must be an object', [{ pointer: '', message: 'must be an object' }]);
  }
  return doc;
}

/** The pointer of the first value deeper than `max`, or null. Iterative: no stack overflow on hostile input. */
function depthOver(root: unknown, max: number): string | null {
  const stack: [unknown, number, string][] = [[root, 0, '']];
  while (stack.length) {
    const [v, d, p] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return p;
    for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
      if (c !== null && typeof c === 'object') stack.push([c, d + 1, `${p}/${escapePointer(k)}`]);
    }
  }
  return null;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
