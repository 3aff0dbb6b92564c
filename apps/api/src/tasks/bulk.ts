import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { TASK_STATUSES, type TaskStatus } from '@yieldflow/contracts';
import { ConflictError, type TaskReader, type TaskStore } from '@yieldflow/store';
import { InvalidInputError } from '../common/errors';

export const BULK_ACTIONS = ['cancel', 'terminate', 'pause', 'resume', 'retry'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** Tasks one bulk request acts on at most. */
export const BULK_MAX = 10_000;

export class BulkFilterDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `filter.status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({ example: 'seed.func-b', description: "A coroutine's name" })
  @IsOptional()
  @MaxLength(128)
  @IsString()
  coroutine?: string;

  @ApiPropertyOptional({
    example: 'orders/ship',
    description: "A definition's '<namespace>/<name>' (every version) or '<namespace>/<name>@<version>'",
  })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  definition?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(64)
  @IsString()
  batchId?: string;
}

export class BulkDto {
  @ApiProperty({ enum: BULK_ACTIONS })
  @IsIn(BULK_ACTIONS, { message: `action must be one of ${BULK_ACTIONS.join(', ')}` })
  action!: BulkAction;

  @ApiProperty({ type: BulkFilterDto, description: 'At least one of status, coroutine, definition, batchId' })
  @IsObject()
  @ValidateNested()
  @Type(() => BulkFilterDto)
  filter!: BulkFilterDto;

  @ApiPropertyOptional({ description: 'nextCursor of the previous answer: go on where it stopped' })
  @IsOptional()
  @MaxLength(200)
  @IsString()
  cursor?: string;
}

export class BulkAnswerDto implements BulkAnswer {
  @ApiProperty({ enum: BULK_ACTIONS }) action!: BulkAction;
  @ApiProperty({ description: 'Tasks the filter matched (at most 10,000)' }) matched!: number;
  @ApiProperty({ description: 'Tasks the action was applied to' }) touched!: number;
  @ApiProperty({ description: 'Matched tasks it did not apply to' }) skipped!: number;
  @ApiPropertyOptional({ description: 'More tasks may match: send the request again with this cursor' })
  nextCursor?: string;
  @ApiPropertyOptional() message?: string;
}

export interface BulkAnswer {
  action: BulkAction;
  /** Tasks the filter matched (at most BULK_MAX). */
  matched: number;
  /** Tasks the action was applied to. */
  touched: number;
  /** Matched tasks it did not apply to (e.g. resume of a task not paused). */
  skipped: number;
  /** More tasks may match: send the request again with this cursor to act on the next ones. */
  nextCursor?: string;
  message?: string;
}

/** One action on every task of the namespace a filter matches, BULK_MAX at most per request. */
export async function bulk(
  store: TaskStore,
  reader: TaskReader,
  namespace: string,
  body: BulkDto,
): Promise<BulkAnswer> {
  const f = body.filter ?? {};
  if (!f.status && !f.coroutine && !f.definition && !f.batchId)
    throw new InvalidInputError('filter needs at least one of status, coroutine, definition, batchId');
  const answer: BulkAnswer = { action: body.action, matched: 0, touched: 0, skipped: 0 };
  const matches = (t: { coroutine?: string; definition?: { name?: string } }): boolean => {
    if (f.coroutine !== undefined && t.coroutine !== f.coroutine) return false;
    if (f.definition !== undefined) {
      const name = t.definition?.name ?? '';
      if (name !== f.definition && name.replace(/@[^@/]*$/, '') !== f.definition) return false;
    }
    return true;
  };
  let cursor = body.cursor;
  do {
    const page = await reader.list(namespace, {
      status: f.status,
      coroutine: f.coroutine,
      definition: f.definition,
      batchId: f.batchId,
      limit: 500,
      cursor,
    });
    const hits = page.items.filter(matches);
    // whole pages only, so the cursor says exactly where to go on
    if (answer.matched + hits.length > BULK_MAX) {
      answer.nextCursor = cursor;
      answer.message = `more than ${BULK_MAX} tasks match: ${answer.matched} were acted on; send the request again with cursor '${cursor}' for the next ones`;
      return answer;
    }
    for (const t of hits) {
      answer.matched++;
      try {
        await act(store, namespace, t.id, body.action);
        answer.touched++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        answer.skipped++;
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return answer;
}

function act(store: TaskStore, namespace: string, id: string, action: BulkAction): Promise<unknown> {
  switch (action) {
    case 'cancel':
      return store.cancel(namespace, id);
    case 'terminate':
      return store.cancel(namespace, id, Date.now(), true);
    case 'pause':
      return store.pause(namespace, id);
    case 'resume':
      return store.resume(namespace, id);
    case 'retry':
      return store.retry(namespace, id);
  }
}
