import type { SchemaObject } from 'ajv';
import { COROUTINE_NAME } from '@yieldflow/runtime';
import { CreateBatchDto } from './batches/batches';
import type { FastBody } from './common/validation';
import { CreateTaskDto, PRIORITY_MAX, REF_PART_MAX, SendDto } from './tasks/dto';

/**
 * The bodies validated by a compiled schema first (common/validation.ts). Each accepts a subset of what its
 * DTO's decorators accept: strings of at most MaxLength code points (class-validator counts fewer: a
 * surrogate pair as one, and a variation selector as none), no null where the DTO would skip an optional field,
 * no field the DTO does not declare. A body outside the subset is not refused here: it goes through the
 * ValidationPipe, which decides and words the error.
 */
const name = { type: 'string', maxLength: REF_PART_MAX };

const definitionRef: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { namespace: name, name, version: name },
};

const task: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    coroutine: { type: 'string', pattern: COROUTINE_NAME.source },
    definition: {},
    definitionRef,
    input: {},
    priority: { type: 'integer', minimum: 0, maximum: PRIORITY_MAX },
  },
};

export const FAST_BODIES: FastBody[] = [
  { type: CreateTaskDto, schema: task },
  {
    type: CreateBatchDto,
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['tasks'],
      properties: { tasks: { type: 'array', minItems: 1, items: task } },
    },
  },
  { type: SendDto, schema: { type: 'object', additionalProperties: false, properties: { value: {} } } },
];
