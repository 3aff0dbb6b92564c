import { type ChildSpec, type CoroutineRegistry, type Json } from '@yieldflow/runtime';
import { checkSpec, parseDuration, type ScheduleDoc, type ScheduleSpec, ScheduleSpecError } from '@yieldflow/contracts';
import { InvalidInputError } from '../common/errors';
import { acceptDefinition } from '../tasks/wait-limits';
import type { ScheduleFieldsDto } from './dto';

const DEFAULT_CATCHUP_MS = 60_000;

const time = (field: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new InvalidInputError(`${field} must be an ISO 8601 time, got '${v}'`);
  return t;
};

const duration = (field: string, v: unknown): number | undefined => {
  if (v === undefined || v === null) return undefined;
  try {
    return parseDuration(field, v);
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
};

/** The fields of a schedule body that describe it (kept as given, for reads and PATCH merges). */
export const GIVEN_FIELDS = [
  'cron',
  'timezone',
  'every',
  'after',
  'offset',
  'startAt',
  'endAt',
  'limit',
  'jitter',
  'coroutine',
  'definition',
  'definitionRef',
  'input',
  'overlap',
  'catchupWindow',
  'pauseOnFailure',
] as const;

/** A schedule body (as given) checked and turned into what is stored: a 400 naming the field otherwise. */
export function toScheduleDoc(
  given: ScheduleFieldsDto,
  registry: CoroutineRegistry,
  maxSleepMs: number,
  source?: string,
  minEveryMs = 1000,
): ScheduleDoc {
  const spec: ScheduleSpec = {};
  if (given.cron !== undefined) spec.cron = given.cron;
  if (given.timezone !== undefined) spec.timezone = given.timezone;
  const every = duration('every', given.every);
  if (every !== undefined) spec.everyMs = every;
  if (every !== undefined && every < minEveryMs)
    throw new InvalidInputError(`every is ${every} ms; at least ${minEveryMs} ms (LIMIT_SCHEDULE_EVERY_MS)`);
  const afterMs = duration('after', given.after);
  if (afterMs !== undefined) spec.afterMs = afterMs;
  if (afterMs !== undefined && afterMs < minEveryMs)
    throw new InvalidInputError(`after is ${afterMs} ms; at least ${minEveryMs} ms (LIMIT_SCHEDULE_EVERY_MS)`);
  const offset = duration('offset', given.offset);
  if (offset !== undefined) spec.offsetMs = offset;
  const startAt = time('startAt', given.startAt);
  if (startAt !== undefined) spec.startAt = startAt;
  const endAt = time('endAt', given.endAt);
  if (endAt !== undefined) spec.endAt = endAt;
  if (given.limit !== undefined) spec.limit = given.limit;
  const jitter = duration('jitter', given.jitter);
  if (jitter !== undefined) spec.jitterMs = jitter;
  try {
    checkSpec(spec);
  } catch (err) {
    if (err instanceof ScheduleSpecError)
      throw new InvalidInputError(err.field === 'spec' ? 'exactly one of cron, every, after is required' : err.message);
    throw err;
  }
  const actions = (['coroutine', 'definition', 'definitionRef'] as const).filter(
    (k) => given[k] !== undefined && given[k] !== null,
  );
  if (actions.length !== 1)
    throw new InvalidInputError(
      `exactly one of coroutine, definition, definitionRef is required${actions.length ? `, got ${actions.join(' and ')}` : ''}`,
    );
  const input = (given.input ?? null) as Json;
  let action: ChildSpec;
  if (given.coroutine !== undefined) {
    if (!registry.has(given.coroutine) || given.coroutine.startsWith('yf.'))
      throw new InvalidInputError(`coroutine '${given.coroutine}' is not registered`);
    action = { coroutine: given.coroutine, input };
  } else if (given.definition !== undefined) {
    if (
      typeof given.definition !== 'string' &&
      (typeof given.definition !== 'object' || Array.isArray(given.definition))
    ) {
      throw new InvalidInputError('definition must be a workflow document (an object) or its YAML/JSON text');
    }
    const { doc } = acceptDefinition(given.definition, maxSleepMs, 'definition: ');
    action = { definition: doc as unknown as Json, input };
  } else {
    const ref = given.definitionRef!;
    action = {
      definitionRef: {
        namespace: ref.namespace ?? 'default',
        name: ref.name,
        ...(ref.version ? { version: ref.version } : {}),
      },
      input,
    };
  }
  const catchupMs = duration('catchupWindow', given.catchupWindow) ?? DEFAULT_CATCHUP_MS;
  const out: ScheduleDoc = {
    spec,
    given: pick(given),
    action,
    overlap: given.overlap ?? 'skip',
    catchupMs,
    pauseOnFailure: given.pauseOnFailure ?? false,
  };
  if (source) out.source = source;
  return out;
}

function pick(given: ScheduleFieldsDto): Json {
  const out: Record<string, Json> = {};
  for (const k of GIVEN_FIELDS) if (given[k] !== undefined) out[k] = given[k] as Json;
  return out;
}
