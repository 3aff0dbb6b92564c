import { readFileSync } from 'fs';
import { join } from 'path';
import type { Json } from '@yieldflow/runtime';
import { JqEvaluator } from '@yieldflow/dsl';

/**
 * The evaluator answers most expressions with jqjs and routes the rest to real jq (jq-web). Every entry of
 * the corpus is evaluated by the evaluator as the interpreter uses it and by real jq alone: the answers (or
 * both failing) must agree. An entry with `known` is a difference left on purpose; the test prints them.
 */
interface Entry {
  expr: string;
  input: Json;
  args?: Record<string, Json>;
  /** The expression must not compile (a check of the corpus itself). */
  invalid?: boolean;
  /** A known difference between the evaluator and real jq, and why it is left. */
  known?: string;
}

type Outcome = { ok: true; value: string } | { ok: false; error: string };

const corpus = JSON.parse(readFileSync(join(__dirname, 'jq', 'corpus.json'), 'utf8')) as Entry[];

function run(ev: JqEvaluator, e: Entry): Outcome {
  try {
    return { ok: true, value: JSON.stringify(ev.evaluate(e.expr, e.input, e.args ?? {})) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

const show = (o: Outcome) => (o.ok ? o.value : `error: ${o.error}`);
const same = (a: Outcome, b: Outcome) => (a.ok && b.ok ? a.value === b.value : a.ok === b.ok);

describe('the evaluator agrees with real jq on the corpus', () => {
  const ours = new JqEvaluator({ timeoutMs: 5000 });
  const jq = new JqEvaluator({ engine: 'jq', inlinePaths: false, timeoutMs: 5000 });
  afterAll(() => {
    ours.close();
    jq.close();
  });

  it('holds at least 150 entries, each expression once', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    const seen = new Set<string>();
    const twice = corpus.filter((e) => {
      const key = JSON.stringify([e.expr, e.input, e.args]);
      const dup = seen.has(key);
      seen.add(key);
      return dup;
    });
    expect(twice.map((e) => e.expr)).toEqual([]);
  });

  it('gives the same answer, or fails where jq fails', () => {
    const differ: string[] = [];
    const known: string[] = [];
    const notInvalid: string[] = [];
    for (const e of corpus) {
      const a = run(ours, e);
      const b = run(jq, e);
      if (e.invalid && b.ok) notInvalid.push(e.expr);
      if (same(a, b)) {
        if (e.known) differ.push(`${e.expr}: listed as a known difference but agrees now (${show(a)})`);
        continue;
      }
      const line = `${e.expr}  on ${JSON.stringify(e.input)}: evaluator ${show(a)}, jq ${show(b)}`;
      if (e.known) known.push(`${line}\n    because ${e.known}`);
      else differ.push(line);
    }
    if (known.length) console.log(`known differences from real jq (${known.length}):\n  ${known.join('\n  ')}`);
    expect(notInvalid).toEqual([]);
    expect(differ).toEqual([]);
  });
});
