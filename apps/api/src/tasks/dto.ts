import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  type DefinitionRef,
  type SendRequest,
  type SubmitRequest,
  TASK_STATUSES,
  type TaskListQuery,
  type TaskStatus,
} from '@yieldflow/contracts';
import { COROUTINE_NAME } from '@yieldflow/runtime';
import { ANY_JSON_PROPERTY } from '../common/views';

/** The longest namespace, name or version a definition reference may give. */
export const REF_PART_MAX = 63;
/** The highest task priority. */
export const PRIORITY_MAX = 100;

export class DefinitionRefDto implements DefinitionRef {
  @ApiPropertyOptional({ example: 'default', description: "The definition's document.namespace" })
  @IsOptional()
  @MaxLength(REF_PART_MAX)
  @IsString()
  namespace?: string;

  @ApiProperty({ example: 'order-shipping' })
  @MaxLength(REF_PART_MAX)
  @IsString()
  name!: string;

  @ApiPropertyOptional({ example: '1.0.0', description: 'Latest when omitted' })
  @IsOptional()
  @MaxLength(REF_PART_MAX)
  @IsString()
  version?: string;
}

export class CreateTaskDto implements SubmitRequest {
  @ApiPropertyOptional({ example: 'seed.func-a', description: 'A registered code-first coroutine' })
  @IsOptional()
  @Matches(COROUTINE_NAME, {
    message: 'coroutine must be a registered coroutine name (letters, digits, . _ -)',
  })
  @IsString()
  coroutine?: string;

  @ApiPropertyOptional({
    description: 'A Serverless Workflow DSL 1.0.3 document, as JSON or as YAML text',
    oneOf: [{ type: 'object' }, { type: 'string' }],
  })
  @IsOptional()
  definition?: object | string;

  @ApiPropertyOptional({ type: DefinitionRefDto, description: 'A registered definition' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DefinitionRefDto)
  definitionRef?: DefinitionRefDto;

  @ApiPropertyOptional({ description: "The task's input (any JSON)", ...ANY_JSON_PROPERTY })
  @IsOptional()
  input?: unknown;

  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: PRIORITY_MAX,
    description: 'Among due tasks of its partition, a higher priority starts first',
  })
  @IsOptional()
  @Max(PRIORITY_MAX)
  @Min(0)
  @IsInt({ message: `priority must be an integer from 0 to ${PRIORITY_MAX}` })
  priority?: number;
}

export class SendDto implements SendRequest {
  @ApiPropertyOptional({
    description: 'The value the suspended receive evaluates to; null when omitted (a falsy value ends seed.consumer)',
    ...ANY_JSON_PROPERTY,
  })
  @IsOptional()
  value?: unknown;
}

export class RerunDto {
  @ApiPropertyOptional({
    minimum: 0,
    example: 2,
    description:
      'Keep the first fromStep journal entries (replayed), run on from there; 0 when omitted (from the start)',
  })
  @IsOptional()
  @Min(0)
  @IsInt({ message: 'fromStep must be a non-negative integer' })
  fromStep?: number;

  @ApiPropertyOptional({
    example: 'chargeCard',
    description: 'Definitions: rerun from the step in which this task of the workflow started',
  })
  @IsOptional()
  @MaxLength(255)
  @IsString()
  fromTask?: string;

  @ApiPropertyOptional({ description: "The new task's input; the old task's when omitted", ...ANY_JSON_PROPERTY })
  @IsOptional()
  input?: unknown;
}

export class PauseDto {
  @ApiPropertyOptional({
    example: 'waiting for the supplier',
    description: 'Why it is paused, shown in the task view (pauseNote)',
  })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  note?: string;
}

export class ListTasksQuery implements TaskListQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(64)
  @IsString()
  batchId?: string;

  @ApiPropertyOptional({ description: "A schedule's tasks, newest fire first, from the schedule's own index" })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  scheduleId?: string;

  @ApiPropertyOptional({ example: 'seed.func-a', description: "A coroutine's tasks" })
  @IsOptional()
  @Matches(COROUTINE_NAME, { message: 'coroutine must be a coroutine name (letters, digits, . _ -)' })
  @IsString()
  coroutine?: string;

  @ApiPropertyOptional({
    example: 'orders/ship',
    description: "A definition's tasks: '<namespace>/<name>' (every version) or '<namespace>/<name>@<version>'",
  })
  @IsOptional()
  @Matches(/^[^/@\s]{1,63}\/[^/@\s]{1,63}(@[^/@\s]{1,63})?$/, {
    message: "definition must be '<namespace>/<name>' or '<namespace>/<name>@<version>'",
  })
  @IsString()
  definition?: string;

  @ApiPropertyOptional({
    example: '2026-12-01T00:00:00Z',
    description: 'Tasks created at or after this time (ISO 8601)',
  })
  @IsOptional()
  @MaxLength(40)
  @IsString()
  createdAfter?: string;

  @ApiPropertyOptional({ example: '2026-12-02T00:00:00Z', description: 'Tasks created before this time (ISO 8601)' })
  @IsOptional()
  @MaxLength(40)
  @IsString()
  createdBefore?: string;

  @ApiPropertyOptional({ example: 'sch-', description: 'Tasks whose id starts with this (listed in id order)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,128}$/, { message: 'idPrefix must be 1-128 letters, digits, _ . -' })
  @IsString()
  idPrefix?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @Max(500)
  @Min(1)
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  cursor?: string;
}

export class EntryPageQuery {
  @ApiPropertyOptional({
    minimum: 0,
    description: 'Index of the first entry; omitted, the page holds the latest entries',
  })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @IsInt({ message: 'offset must be an integer' })
  offset?: number;

  @ApiPropertyOptional({
    default: 100,
    minimum: 1,
    maximum: 1000,
    description: 'Entries at most; fewer once the page holds LIMIT_VIEW_BYTES',
  })
  @IsOptional()
  @Type(() => Number)
  @Max(1000)
  @Min(1)
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;
}
