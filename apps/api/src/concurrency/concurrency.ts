import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { type ConcurrencyLimit, ConcurrencyLimits, keyPath, NotFoundError } from '@yieldflow/store';
import { Roles } from '../auth/roles';
import { InvalidInputError } from '../common/errors';
import { Namespace } from '../common/namespace';
import { ApiExamples, EXAMPLES } from '../common/examples';

export class ConcurrencyLimitDto {
  @ApiProperty({
    example: 'orders/ship',
    description: "A coroutine's name, or a definition's '<namespace>/<name>' (every version)",
  })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,190}$/, {
    message: 'name must be a coroutine name or <namespace>/<name> of a definition',
  })
  @IsString()
  name!: string;

  @ApiProperty({
    example: 1,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Tasks of that name (and key value) running at once; the rest wait queued, in order',
  })
  @Max(1_000_000)
  @Min(1)
  @IsInt({ message: 'limit must be a positive integer' })
  limit!: number;

  @ApiPropertyOptional({
    example: '${ .customerId }',
    description: 'A limit per value of this path into the input (a jq path: `${ .a.b }`, `.a.b` or `a.b`)',
  })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  key?: string;
}

/** Concurrency limits per coroutine or definition name, of the caller's namespace. */
export class ConcurrencyLimitsDto {
  @ApiProperty({ type: [ConcurrencyLimitDto] }) items!: ConcurrencyLimitDto[];
}

@ApiTags('concurrency')
@Controller('v1/concurrency')
export class ConcurrencyController {
  constructor(private readonly limits: ConcurrencyLimits) {}

  @Post()
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Set the concurrency limit of a coroutine or definition (per key value with key); applies to tasks submitted from now on',
  })
  @ApiOkResponse({ description: 'The limit as stored', type: ConcurrencyLimitDto })
  @ApiExamples(ConcurrencyLimitDto, EXAMPLES.concurrency)
  async set(@Namespace() ns: string, @Body() body: ConcurrencyLimitDto): Promise<ConcurrencyLimit> {
    if (body.key !== undefined && !keyPath(body.key))
      throw new InvalidInputError(`key must be a path into the input such as '\${ .customerId }', got '${body.key}'`);
    const limit: ConcurrencyLimit = {
      name: body.name,
      limit: body.limit,
      ...(body.key !== undefined ? { key: body.key } : {}),
    };
    await this.limits.set(ns, limit);
    return limit;
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The namespace's concurrency limits" })
  @ApiOkResponse({ type: ConcurrencyLimitsDto })
  async list(@Namespace() ns: string): Promise<{ items: ConcurrencyLimit[] }> {
    return { items: await this.limits.list(ns) };
  }

  @Delete()
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a limit: tasks submitted from now on are not limited (those in line still wait their turn)',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse()
  async remove(@Namespace() ns: string, @Query('name') name: string): Promise<void> {
    if (typeof name !== 'string' || name === '')
      throw new InvalidInputError('name is required: DELETE /v1/concurrency?name=<name>');
    if (!(await this.limits.remove(ns, name))) throw new NotFoundError(`concurrency limit ${name}`);
  }
}
