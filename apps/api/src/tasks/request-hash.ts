import { createHash } from 'node:crypto';
import type { CreateTaskDto } from './dto';

/** JSON with every object's keys sorted, so key order never makes two equal bodies differ. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * What a submission asks for, as a hash stored with a task created under an Idempotency-Key: a repeat
 * with the same key must ask for the same. A missing input counts as null, as the task stores it.
 */
export function requestHash(body: CreateTaskDto): string {
  const normal = {
    coroutine: body.coroutine,
    definition: body.definition,
    definitionRef: body.definitionRef,
    input: body.input ?? null,
  };
  return createHash('sha256').update(canonicalJson(normal)).digest('base64url');
}
