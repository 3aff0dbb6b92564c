export { parseWorkflow, PARSE_DEFAULTS, type ParseOptions } from './parse';
export { validateWorkflow, explain } from './validate';
export { describeSupport, checkSupport, type SupportReport } from './support';
export { compileWorkflow, type CompileOptions } from './compile';
export { DEFAULT_RESUME_BUDGET, type ResumeBudget } from './interpreter/meter';
export { DefinitionError, UnsupportedFeatureError, type Violation } from './errors';
export {
  type ExpressionEvaluator,
  ExpressionFailure,
  JqEvaluator,
  type JqEvaluatorOptions,
  defaultEvaluator,
} from './expressions/evaluator';
export { isExpression } from './expressions/expr';
export { checkExpressions, jqSyntaxError, loadJqSyntax } from './expressions/syntax';
export { durationMs } from './duration';
export { ANY_EVENT_TYPE } from './interpreter/listen';
export { branchDocument } from './interpreter/spawn';
export { RUNTIME_NAME, RUNTIME_VERSION } from './interpreter/run';
export type { TraceEntry, TracePhase } from './trace';
export type * from './types';
