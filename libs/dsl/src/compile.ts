import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { TaskError, type Coroutine, type Json } from '@yieldflow/runtime';
import { validationError } from './errors';
import { defaultEvaluator, type ExpressionEvaluator } from './expressions/evaluator';
import { Expressions } from './expressions/expr';
import { args, dateTime, isTimeout, plain, type Run, RUNTIME_NAME, RUNTIME_VERSION } from './interpreter/run';
import { checkSchema, runList, runTask, timeoutOf } from './interpreter/task';
import { DEFAULT_RESUME_BUDGET, Meter, type ResumeBudget } from './interpreter/meter';
import type { WorkflowDocument } from './types';

export interface CompileOptions {
  /**
   * The secrets of the namespace the workflow runs in. `$secrets` holds only those the definition declares in
   * `use.secrets`; the others are never handed to it.
   */
  secrets?: Record<string, Json>;
  /** jq by default (bounded, shared per process). */
  evaluator?: ExpressionEvaluator;
  /** What one resume may do before it must wait (steps, milliseconds). */
  budget?: ResumeBudget;
  /** `$runtime.metadata`. */
  runtimeMetadata?: Record<string, Json>;
}

/**
 * The interpreter: a coroutine that runs a validated definition. Everything it does goes through effects
 * and ctx.now(), so replaying its journal rebuilds the same state. Compiled expressions and input/output
 * schemas are cached per definition (per call of compileWorkflow).
 */
export function compileWorkflow(doc: WorkflowDocument, opts: CompileOptions = {}): Coroutine {
  const ex = new Expressions(opts.evaluator ?? defaultEvaluator());
  const definition = plain(doc);
  const secrets = declaredSecrets(doc, opts.secrets ?? {});
  const schemas = new SchemaCache();
  const budget = opts.budget ?? DEFAULT_RESUME_BUDGET;
  return function* workflow(rawInput, ctx) {
    const startedAt = ctx.now();
    const meter = new Meter(budget);
    const run: Run = {
      doc,
      ctx,
      ex,
      secrets,
      validateSchema: (schema, value) => schemas.check(schema, value),
      context: {},
      workflow: { id: ctx.taskId, definition, input: rawInput ?? null, startedAt: dateTime(startedAt) },
      runtime: { name: RUNTIME_NAME, version: RUNTIME_VERSION, metadata: opts.runtimeMetadata ?? {} },
      emitted: 0,
      meter,
      list: (list, pointer, input, scope) => runList(run, list, pointer, input, scope),
      task: (name, task, pointer, input, scope) => runTask(run, name, task, pointer, input, scope),
    };
    const input0 = rawInput ?? {};
    const timeout = timeoutOf(run, doc.timeout, '/timeout', input0, { vars: {} });
    if (timeout !== undefined) run.deadline = startedAt + timeout;
    try {
      checkSchema(run, doc.input?.schema, input0, '/input/schema', 'workflow input');
      const input = ex.transform(doc.input?.from, input0, args(run, { vars: {} }), '/input/from');
      run.context = {};
      const flow = yield* meter.metered(runList(run, doc.do, '/do', input, { vars: {} }));
      if (run.deadline !== undefined && ctx.now() >= run.deadline)
        throw TaskError.timeout('the workflow overran its timeout', '/');
      const output = ex.transform(doc.output?.as, flow.output, args(run, { vars: {} }), '/output/as');
      checkSchema(run, doc.output?.schema, output, '/output/schema', 'workflow output');
      return output;
    } catch (err) {
      if (timeout !== undefined && isTimeout(err) && ctx.now() >= startedAt + timeout) {
        throw TaskError.timeout(`the workflow timed out after ${timeout} ms`, '/');
      }
      throw err;
    }
  };
}

/** The secrets `use.secrets` names that are set, in an object without a prototype (`constructor` is no secret). */
export function declaredSecrets(doc: WorkflowDocument, all: Record<string, Json>): Record<string, Json> {
  const out = Object.create(null) as Record<string, Json>;
  for (const name of doc.use?.secrets ?? []) if (Object.prototype.hasOwnProperty.call(all, name)) out[name] = all[name];
  return out;
}

/** JSON schemas of one definition, each compiled once. */
class SchemaCache {
  private ajv?: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  check(schema: Json, value: Json): string | null {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      if (!this.ajv) {
        this.ajv = new Ajv2020({ allErrors: true, strict: false });
        addFormats(this.ajv);
      }
      try {
        fn = this.ajv.compile(schema as object);
      } catch (err) {
        throw validationError(`the schema itself is invalid: ${(err as Error).message}`);
      }
      this.compiled.set(key, fn);
    }
    if (fn(value)) return null;
    return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  }
}
