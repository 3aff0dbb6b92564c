import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { CreateBatchDto } from '../batches/batches';
import { FAST_BODIES } from '../fast-bodies';
import { CreateTaskDto, SendDto } from '../tasks/dto';
import { canonicalJson } from '../tasks/request-hash';
import { asSent, keepAsSent, type SentRequest } from './as-sent';
import { BodyValidationPipe, VALIDATION_OPTIONS } from './validation';

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const fast = new BodyValidationPipe(VALIDATION_OPTIONS, FAST_BODIES);
const plain = new ValidationPipe(VALIDATION_OPTIONS);

/** The free-form fields each controller puts back as sent (common/as-sent.ts), as it does it. */
function restore(metatype: ArgumentMetadata['metatype'], out: unknown, text: string): void {
  const req: SentRequest = {};
  keepAsSent(req, Buffer.from(text));
  const sent = req.sentBody as { tasks?: unknown[] } | undefined;
  if (metatype === CreateBatchDto)
    (out as CreateBatchDto).tasks.forEach((t, i) => asSent(t, sent?.tasks?.[i], ['input', 'definition']));
  else if (metatype === CreateTaskDto) asSent(out as CreateTaskDto, sent, ['input', 'definition']);
  else if (metatype === SendDto) asSent(out as SendDto, sent, ['value']);
}

/** What a pipe and the controller make of a body sent as `text`: the value handled (as JSON), or the 400's answer. */
async function outcome(pipe: ValidationPipe, text: string, metatype: ArgumentMetadata['metatype']) {
  const value: unknown = JSON.parse(text); // a fresh copy: the ValidationPipe edits bodies in place
  try {
    const out: unknown = await pipe.transform(value, body(metatype));
    restore(metatype, out, text);
    return { ok: canonicalJson(out), same: out === value };
  } catch (err) {
    if (!(err instanceof BadRequestException)) throw err;
    return { error: err.getResponse() };
  }
}

describe('BodyValidationPipe', () => {
  const batch = { tasks: [{ coroutine: 'seed.consumer', input: { n: 1 } }, { definitionRef: { name: 'flow' } }] };

  it('hands a valid batch on as parsed, without copying it', async () => {
    const value = JSON.parse(JSON.stringify(batch)) as object;
    await expect(fast.transform(value, body(CreateBatchDto))).resolves.toBe(value);
    await expect(plain.transform(value, body(CreateBatchDto))).resolves.toBeInstanceOf(CreateBatchDto);
  });

  it.each([
    ['an empty batch', { tasks: [] }],
    ['a field no task has', { tasks: [{ coroutine: 'a', colour: 'red' }] }],
    ['a coroutine that is a number', { tasks: [{ coroutine: 5 }] }],
    ['a priority out of range', { tasks: [{ coroutine: 'a', priority: 101 }] }],
    ['a name too long', { tasks: [{ definitionRef: { name: 'x'.repeat(64) } }] }],
    ['a task that is not an object', { tasks: [{ coroutine: 'a' }, 7] }],
  ])('answers %s with the ValidationPipe’s own words', async (_, sent) => {
    const text = JSON.stringify(sent);
    const answer = await outcome(fast, text, CreateBatchDto);
    expect(answer.error).toBeDefined();
    expect(answer).toEqual(await outcome(plain, text, CreateBatchDto));
  });

  it.each([
    '{"tasks":[{"coroutine":"a","__proto__":{"polluted":true}}]}',
    '{"tasks":[{"coroutine":"a","input":{"__proto__":{"polluted":true},"constructor":1}}]}',
    '{"__proto__":{"tasks":[]},"tasks":[{"coroutine":"a"}]}',
  ])('makes of prototype-named keys what the ValidationPipe makes of them: %s', async (text) => {
    expect(await outcome(fast, text, CreateBatchDto)).toMatchObject(
      (({ same: _, ...rest }) => rest)(await outcome(plain, text, CreateBatchDto)),
    );
  });

  it('leaves the bodies it has no schema for to the ValidationPipe', async () => {
    class Other {}
    const value = {};
    await expect(fast.transform(value, body(Other))).resolves.toBeInstanceOf(Other);
  });

  // strings around the bounds (63 characters; surrogate pairs and variation selectors, counted apart)
  const text = fc.oneof(
    fc.constantFrom('seed.consumer', 'a', 'A-b_c.9', '', '-x', 'no spaces', 'é'),
    fc.string({ maxLength: 70 }),
    fc.integer({ min: 60, max: 66 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 30, max: 34 }).map((n) => '😀'.repeat(n)),
    fc.integer({ min: 30, max: 34 }).map((n) => '❤️'.repeat(n)),
    fc.integer({ min: 60, max: 66 }).map((n) => '😀'.repeat(n)),
    fc.integer({ min: 126, max: 130 }).map((n) => `a${'b'.repeat(n)}`),
  );
  const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null));
  const field = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, anyJson), { nil: undefined, freq: 3 });
  /** A valid object with one field set to a value near or past its bound: where a schema and a DTO could part. */
  const oneOff = (valid: fc.Arbitrary<Record<string, unknown>>, odd: Record<string, fc.Arbitrary<unknown>>) =>
    fc.tuple(valid, fc.constantFrom(...Object.keys(odd))).chain(([v, k]) => odd[k].map((x) => ({ ...v, [k]: x })));
  const cleanRef = fc.record(
    { namespace: fc.constant('default'), name: fc.constant('flow'), version: fc.constant('1.0.0') },
    { requiredKeys: ['name'] },
  );
  const oddRef = { namespace: text, name: text, version: text, extra: anyJson };
  const ref = fc.oneof(
    cleanRef,
    oneOff(cleanRef, oddRef),
    fc.record(
      { namespace: field(text), name: field(text), version: field(text), extra: field(anyJson) },
      { requiredKeys: [] },
    ),
  );
  // tasks as a client writes them, which the fast path should take
  const clean = fc.record(
    {
      coroutine: fc.constantFrom('seed.consumer', 'seed.func-a', 'A_9'),
      input: fc.jsonValue({ maxDepth: 2 }),
      priority: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: ['coroutine'] },
  );
  const odd = {
    coroutine: text,
    definition: fc.oneof(fc.constant({ document: { name: 'x' } }), fc.string(), anyJson),
    definitionRef: fc.oneof(ref, anyJson),
    input: anyJson,
    priority: fc.oneof(fc.integer({ min: -2, max: 102 }), fc.double(), fc.constant('5'), anyJson),
    constructor: fc.constant('x'),
    other: anyJson,
  };
  const task = fc.oneof(
    { weight: 6, arbitrary: clean },
    { weight: 6, arbitrary: oneOff(clean, odd) },
    {
      weight: 4,
      arbitrary: fc.record(Object.fromEntries(Object.entries(odd).map(([k, arb]) => [k, field(arb)])), {
        requiredKeys: [],
      }),
    },
    { weight: 1, arbitrary: anyJson },
  );
  const bodies = fc.oneof(
    { weight: 6, arbitrary: fc.record({ tasks: fc.array(task, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ tasks: anyJson, more: field(anyJson) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyJson },
  );

  it.each([
    ['a batch', CreateBatchDto, bodies],
    ['a submission', CreateTaskDto, task],
    [
      'a send',
      SendDto,
      fc.oneof(fc.record({ value: field(anyJson), other: field(anyJson) }, { requiredKeys: [] }), anyJson),
    ],
  ] as const)('makes of %s what the ValidationPipe makes of it', async (_, dto, arb) => {
    let handedOn = 0;
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (sent) => {
        const json = JSON.stringify(sent) ?? 'null';
        const mine = await outcome(fast, json, dto);
        const theirs = await outcome(plain, json, dto);
        expect({ ok: mine.ok, error: mine.error }).toEqual({ ok: theirs.ok, error: theirs.error });
        if (mine.same) taken++;
        if (mine.ok !== undefined) handedOn++;
      }),
      { numRuns: 600 },
    );
    // the fast path is taken for most valid bodies, or the property above says little
    expect(taken).toBeGreaterThan(handedOn / 4);
  });
});
