import { TaskError, type Json } from '@yieldflow/runtime';
import { expressionError } from '../errors';
import { type ExpressionEvaluator, ExpressionFailure } from './evaluator';

const WRAPPED = /^\s*\$\{([\s\S]*)\}\s*$/;

/** Whether a definition string is a runtime expression (wholly `${ ... }`). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && WRAPPED.test(value);
}

/** The jq text of a runtime expression (`${ x }` gives x), or null for a string that is not one. */
export function expressionText(value: string): string | null {
  const m = WRAPPED.exec(value);
  return m ? m[1].trim() : null;
}

/**
 * Expressions of one definition. Every string it evaluates comes from the definition (never from data),
 * and the text of each is worked out once.
 */
export class Expressions {
  private readonly texts = new Map<string, string | null>();

  constructor(readonly evaluator: ExpressionEvaluator) {}

  /** The jq text of a definition string: `${ x }` gives x; a bare string gives itself if `bare`, else null. */
  text(value: string, bare: boolean): string | null {
    const key = (bare ? 'b:' : 's:') + value;
    let t = this.texts.get(key);
    if (t === undefined) {
      const m = WRAPPED.exec(value);
      t = m ? m[1].trim() : bare ? value.trim() : null;
      this.texts.set(key, t);
    }
    return t;
  }

  /** Evaluate a jq text, turning any failure into the DSL's expression error. */
  run(text: string, input: Json, args: Record<string, Json>, instance?: string): Json {
    try {
      return this.evaluator.evaluate(text, input, args);
    } catch (err) {
      if (err instanceof TaskError) throw err;
      const detail = err instanceof ExpressionFailure || err instanceof Error ? err.message : String(err);
      throw expressionError(text, detail, instance);
    }
  }

  /** A field that can only hold an expression (`if`, `when`, `input.from` as a string, ...). */
  bare(value: string, input: Json, args: Record<string, Json>, instance?: string): Json {
    return this.run(this.text(value, true)!, input, args, instance);
  }

  /**
   * A definition value that may hold expressions: each string that is wholly `${ }` is evaluated,
   * objects and arrays are walked, anything else is kept as written.
   */
  deep(value: Json | undefined, input: Json, args: Record<string, Json>, instance?: string): Json {
    if (value === undefined) return null;
    if (typeof value === 'string') {
      const t = this.text(value, false);
      return t === null ? value : this.run(t, input, args, instance);
    }
    if (Array.isArray(value)) return value.map((v) => this.deep(v, input, args, instance));
    if (value !== null && typeof value === 'object') {
      // an object literal defines its keys, so `__proto__` (kept as a key by JSON.parse) stays one
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, input, args, instance)]));
    }
    return value;
  }

  /** `input.from`, `output.as`, `export.as`: a string is an expression (with or without `${ }`), an object is walked. */
  transform(value: Json | undefined, input: Json, args: Record<string, Json>, instance?: string): Json {
    if (value === undefined) return input;
    if (typeof value === 'string') return this.bare(value, input, args, instance);
    return this.deep(value, input, args, instance);
  }
}

/** jq truthiness: everything but false and null. */
export function truthy(v: Json): boolean {
  return v !== false && v !== null;
}
