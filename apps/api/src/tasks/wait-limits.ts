import { checkExpressions, parseWorkflow, validateWorkflow, type WorkflowDocument } from '@yieldflow/dsl';
import { contentHash } from '@yieldflow/store';
import { durationMs } from '@yieldflow/dsl';
import { InvalidInputError } from '../common/errors';
import { yamlFlowDeeperThan } from './yaml-depth';

/** How deep a definition may nest: the DSL parser's limit (maxDepth), also checked on the text. */
const DEFINITION_DEPTH = 64;

const isDuration = (v: unknown): boolean =>
  (typeof v === 'string' && !v.trim().startsWith('${')) ||
  (!!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    ['days', 'hours', 'minutes', 'seconds', 'milliseconds'].some((k) => k in v));

/**
 * A workflow's `wait` and `timeout.after` durations may not exceed LIMIT_SLEEP_MS: refused at submission
 * (400 naming the field by its JSON pointer) rather than faulting the task later.
 */
export function checkWaitDurations(doc: unknown, maxMs: number, field = ''): void {
  const visit = (v: unknown, pointer: string): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${pointer}/${i}`));
    for (const [k, x] of Object.entries(v)) {
      const at = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (k === 'wait' && isDuration(x)) check(x, at);
      if (k === 'timeout' && x && typeof x === 'object' && isDuration((x as { after?: unknown }).after))
        check((x as { after: unknown }).after, `${at}/after`);
      if (k === 'timeouts' && x && typeof x === 'object') {
        for (const [name, t] of Object.entries(x))
          if (t && typeof t === 'object' && isDuration((t as { after?: unknown }).after))
            check((t as { after: unknown }).after, `${at}/${name}/after`);
      }
      visit(x, at);
    }
  };
  const check = (d: unknown, pointer: string): void => {
    let ms: number;
    try {
      ms = durationMs(d as never);
    } catch {
      return; // the schema's business
    }
    if (ms > maxMs)
      throw new InvalidInputError(`${field}definition ${pointer} is ${ms} ms; at most ${maxMs} ms (LIMIT_SLEEP_MS)`);
  };
  visit(doc, '');
}

/**
 * A definition as both task submission and the registry accept it: parsed (YAML or JSON), validated against
 * the DSL schema and the wait limits, and in its canonical text with that text's content hash.
 */
export function acceptDefinition(
  body: string | object,
  maxSleepMs: number,
  field = '',
): { doc: WorkflowDocument; text: string; hash: string } {
  // the DSL's own depth limit holds only once parsed; a text is checked before (see yaml-depth.ts)
  if (typeof body === 'string' && yamlFlowDeeperThan(body, DEFINITION_DEPTH))
    throw new InvalidInputError(`${field}definition nests more than ${DEFINITION_DEPTH} levels deep`);
  const doc = validateWorkflow(parseWorkflow(body));
  checkExpressions(doc);
  checkWaitDurations(doc, maxSleepMs, field);
  const text = JSON.stringify(doc);
  return { doc, text, hash: contentHash(text) };
}
