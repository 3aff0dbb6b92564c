import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '@yieldflow/contracts';

export class DefinitionRefDto {
  @ApiPropertyOptional({ example: 'default', description: "The definition's document.namespace" })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  namespace?: string;

  @ApiProperty({ example: 'order-shipping' })
  @IsString()
  @MaxLength(63)
  name!: string;

  @ApiPropertyOptional({ example: '1.0.0', description: 'Latest when omitted' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  version?: string;
}

export class CreateTaskDto {
  @ApiPropertyOptional({ example: 'seed.func-a', description: 'A registered code-first coroutine' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,127}$/i, { message: 'coroutine must be a registered coroutine name (letters, digits, . _ -)' })
  coroutine?: string;

  @ApiPropertyOptional({ description: 'A Serverless Workflow DSL 1.0.3 document, as JSON or as YAML text', oneOf: [{ type: 'object' }, { type: 'string' }] })
  @IsOptional()
  definition?: object | string;

  @ApiPropertyOptional({ type: DefinitionRefDto, description: 'A registered definition' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DefinitionRefDto)
  definitionRef?: DefinitionRefDto;

  @ApiPropertyOptional({ description: "The task's input (any JSON)" })
  @IsOptional()
  input?: unknown;
}

export class SendDto {
  @ApiPropertyOptional({ description: 'The value the suspended receive evaluates to; null when omitted (a falsy value ends seed.consumer)' })
  @IsOptional()
  value?: unknown;
}

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  batchId?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
