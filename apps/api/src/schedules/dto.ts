import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
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
import { OVERLAP_POLICIES, type OverlapPolicy } from '@yieldflow/contracts';
import { COROUTINE_NAME } from '@yieldflow/runtime';
import { DefinitionRefDto } from '../tasks/dto';
import { ANY_JSON_PROPERTY } from '../common/views';

const DURATION = {
  oneOf: [
    { type: 'integer', description: 'ms' },
    { type: 'string', example: '30s' },
  ],
  description: "ms, '30s', '1h30m' or ISO 8601 'PT1M'",
};

/** What a schedule fires and how: everything a PATCH may change. */
export class ScheduleFieldsDto {
  @ApiPropertyOptional({
    example: '0 9 * * MON-FRI',
    description: 'A cron expression, 5 fields (minute first) or 6 (seconds first), parsed by croner',
  })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  cron?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA time zone of the cron expression (default UTC)' })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  timezone?: string;

  @ApiPropertyOptional({ ...DURATION, example: '1h' })
  @IsOptional()
  every?: number | string;

  @ApiPropertyOptional({
    ...DURATION,
    description: 'Start again this long after each run ends (the first run at once)',
  })
  @IsOptional()
  after?: number | string;

  @ApiPropertyOptional({ ...DURATION, description: 'Shifts every: fires at k * every + offset since the epoch' })
  @IsOptional()
  offset?: number | string;

  @ApiPropertyOptional({ description: 'No fire before this time (ISO 8601)' })
  @IsOptional()
  @IsString()
  startAt?: string;

  @ApiPropertyOptional({ description: 'No fire after this time (ISO 8601)' })
  @IsOptional()
  @IsString()
  endAt?: string;

  @ApiPropertyOptional({ description: 'Fire at most this many times, then end' })
  @IsOptional()
  @Min(1)
  @IsInt({ message: 'limit must be a positive integer' })
  limit?: number;

  @ApiPropertyOptional({
    ...DURATION,
    description: 'Each fire is delayed by up to this much (the same delay for a given fire)',
  })
  @IsOptional()
  jitter?: number | string;

  @ApiPropertyOptional({ example: 'seed.func-a', description: 'The task to start: a registered coroutine,' })
  @IsOptional()
  @Matches(COROUTINE_NAME, {
    message: 'coroutine must be a registered coroutine name (letters, digits, . _ -)',
  })
  @IsString()
  coroutine?: string;

  @ApiPropertyOptional({
    description: 'an inline workflow definition (JSON or YAML text),',
    oneOf: [{ type: 'object' }, { type: 'string' }],
  })
  @IsOptional()
  definition?: object | string;

  @ApiPropertyOptional({
    type: DefinitionRefDto,
    description: 'or a registered one (the latest version at each fire when version is omitted)',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DefinitionRefDto)
  definitionRef?: DefinitionRefDto;

  @ApiPropertyOptional({ description: "The started task's input (any JSON)", ...ANY_JSON_PROPERTY })
  @IsOptional()
  input?: unknown;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: 'skip',
    description: 'When a fire comes while the previous run still runs',
  })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES, { message: `overlap must be one of ${OVERLAP_POLICIES.join(', ')}` })
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({
    ...DURATION,
    default: '1m',
    description: 'A fire reached later than this (the service was down) is skipped and recorded as skipped',
  })
  @IsOptional()
  catchupWindow?: number | string;

  @ApiPropertyOptional({ default: false, description: 'Pause when a started task faults (seen at the next fire)' })
  @IsOptional()
  @IsBoolean()
  pauseOnFailure?: boolean;
}

export class CreateScheduleDto extends ScheduleFieldsDto {
  @ApiPropertyOptional({
    example: 'nightly-report',
    description: 'The id, unique in the namespace (generated when omitted)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'id must be 1-64 letters, digits, _ or -' })
  id?: string;

  @ApiPropertyOptional({ default: false, description: 'Create it paused' })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ description: 'Why it is paused' })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  note?: string;
}

export class PauseDto {
  @ApiPropertyOptional({ description: 'Why' })
  @IsOptional()
  @MaxLength(500)
  @IsString()
  note?: string;
}

export class BackfillDto {
  @ApiProperty({ description: 'Start of the range (ISO 8601), exclusive' })
  @IsString()
  from!: string;

  @ApiProperty({ description: 'End of the range (ISO 8601), inclusive' })
  @IsString()
  to!: string;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    description: "The overlap policy of the backfill's fires (the schedule's by default)",
  })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES, { message: `overlap must be one of ${OVERLAP_POLICIES.join(', ')}` })
  overlap?: OverlapPolicy;
}

export class PreviewQuery {
  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @Max(1000)
  @Min(1)
  @IsInt({ message: 'count must be an integer' })
  count?: number;
}

export class PageQuery {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @Max(500)
  @Min(1)
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,9}$/, { message: 'cursor must be the nextCursor of the previous page' })
  cursor?: string;
}

export class FiresQuery {
  @ApiPropertyOptional({ default: 0, minimum: 0, description: 'Newest first: 0 is the latest fire' })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @IsInt({ message: 'offset must be an integer' })
  offset?: number;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @Max(1000)
  @Min(1)
  @IsInt({ message: 'limit must be an integer' })
  limit?: number;
}
