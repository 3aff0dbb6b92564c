import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import {
  type ApiErrorBody,
  type BatchCreated,
  type BatchView,
  type EntryPage,
  type FirePage,
  type FireRecord,
  OVERLAP_POLICIES,
  type PagePosition,
  type PublishAnswer,
  type ScheduleView,
  type SchedulePage,
  type SendAnswer,
  type SuspensionView,
  TASK_STATUSES,
  type TaskPage,
  type TaskStatus,
  type TaskView,
  type Truncated,
  type WaitingView,
} from '@yieldflow/contracts';
import type { Json } from '@yieldflow/runtime';

/**
 * The api's answers as OpenAPI schemas: each class implements the contracts' view it documents, and
 * test/client/drift.test.ts checks that their properties are the same, so the document cannot drift from the
 * types the api returns and libs/client reads.
 */

/** Any JSON value (null included, by the nullable object). */
export const ANY_JSON: SchemaObject = {
  oneOf: [
    { type: 'object', nullable: true },
    { type: 'array', items: {} },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
};
/** ANY_JSON as @ApiProperty options take it. */
export const ANY_JSON_PROPERTY = ANY_JSON as object;
const json = (description: string) => ({ description, ...ANY_JSON }) as never;

export class ErrorBodyDto implements ApiErrorBody {
  [detail: string]: unknown;
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found' }) error!: string;
  @ApiProperty({
    example: 'task 0123456789abcdef0123456789abcdef not found',
    description: 'What went wrong, naming the field or limit',
  })
  message!: string;
}

export class TruncatedDto implements Truncated {
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'Where to fetch the value in full' }) href!: string;
}

export class SuspensionViewDto implements SuspensionView {
  @ApiProperty() step!: number;
  @ApiPropertyOptional({ type: TruncatedDto }) truncated?: Truncated;
  @ApiProperty({ example: 'sleep' }) kind!: string;
  @ApiPropertyOptional() label?: string;
  @ApiProperty({ format: 'date-time' }) suspendedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) dueAt?: string;
  @ApiProperty({ format: 'date-time' }) resumedAt!: string;
  @ApiPropertyOptional() lateMs?: number;
  @ApiPropertyOptional(json('What the effect resumed the task with')) result?: Json;
  @ApiPropertyOptional(json('What the effect failed with')) error?: Json;
}

export class WaitingViewDto implements WaitingView {
  @ApiProperty({ example: 'receive' }) kind!: string;
  @ApiProperty(json('The effect it waits on')) effect!: Json;
  @ApiProperty({ format: 'date-time', description: 'When it began waiting' }) since!: string;
  @ApiPropertyOptional({ description: 'Why it waits, in words (a queued task whose coroutine no live worker runs)' })
  reason?: string;
  @ApiPropertyOptional({ format: 'date-time' }) dueAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) deadline?: string;
}

export class PagePositionDto implements PagePosition {
  @ApiProperty() offset!: number;
  @ApiProperty() total!: number;
}

export class TaskDefinitionDto {
  @ApiProperty() hash!: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() namespace?: string;
  @ApiPropertyOptional() version?: string;
}

export class BreakdownDto {
  @ApiProperty() queuedMs!: number;
  @ApiProperty() runningMs!: number;
  @ApiProperty() suspendedMs!: number;
  @ApiProperty() pausedMs!: number;
}

export class TaskViewDto implements TaskView {
  @ApiProperty({ example: '0123456789abcdef0123456789abcdef' }) id!: string;
  @ApiProperty({ example: 'default' }) namespace!: string;
  @ApiPropertyOptional({ example: 'seed.func-a' }) coroutine?: string;
  @ApiPropertyOptional({ example: 1, description: 'The coroutine version it runs to its end' })
  coroutineVersion?: number;
  @ApiPropertyOptional({ type: TaskDefinitionDto }) definition?: TaskDefinitionDto;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty(json("The task's input")) input!: Json;
  @ApiPropertyOptional(json('What it returned')) output?: Json;
  @ApiPropertyOptional(json('What it faulted with')) error?: Json;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiProperty() elapsedMs!: number;
  @ApiProperty({ type: BreakdownDto }) breakdown!: BreakdownDto;
  @ApiPropertyOptional({ format: 'date-time' }) pausedAt?: string;
  @ApiPropertyOptional() pauseNote?: string;
  @ApiPropertyOptional() pauseRequested?: boolean;
  @ApiPropertyOptional(json('The value it last yielded to its driver (receive)')) yielded?: Json;
  @ApiPropertyOptional({ type: WaitingViewDto }) waitingFor?: WaitingView;
  @ApiProperty() steps!: number;
  @ApiProperty({ type: [SuspensionViewDto] }) suspensions!: SuspensionView[];
  @ApiPropertyOptional({ type: PagePositionDto }) suspensionsPage?: PagePosition;
  @ApiPropertyOptional({ type: 'array', items: ANY_JSON }) trace?: Json[];
  @ApiPropertyOptional({ type: PagePositionDto }) tracePage?: PagePosition;
  @ApiPropertyOptional() batchId?: string;
  @ApiPropertyOptional() parentId?: string;
  @ApiPropertyOptional() scheduleId?: string;
  @ApiPropertyOptional() closed?: boolean;
  @ApiPropertyOptional() priority?: number;
  @ApiPropertyOptional() rerunOf?: string;
  @ApiPropertyOptional({ type: [String] }) reruns?: string[];
  @ApiPropertyOptional() retries?: number;
  @ApiPropertyOptional() terminated?: boolean;
}

export class TaskPageDto implements TaskPage {
  @ApiProperty({ type: [TaskViewDto] }) items!: TaskView[];
  @ApiPropertyOptional() nextCursor?: string;
}

export class SuspensionPageDto implements EntryPage<SuspensionView> {
  @ApiProperty({ type: [SuspensionViewDto] }) items!: SuspensionView[];
  @ApiProperty() offset!: number;
  @ApiProperty() total!: number;
  @ApiPropertyOptional() nextOffset?: number;
}

export class TracePageDto implements EntryPage<Json> {
  @ApiProperty({ type: 'array', items: ANY_JSON }) items!: Json[];
  @ApiProperty() offset!: number;
  @ApiProperty() total!: number;
  @ApiPropertyOptional() nextOffset?: number;
}

export class SendAnswerDto implements SendAnswer {
  @ApiProperty(json('What the task yielded next (null once it ended)')) yielded!: unknown;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiPropertyOptional(json('Its output, once completed')) output?: unknown;
  @ApiPropertyOptional(json('Its error, once faulted')) error?: unknown;
  @ApiPropertyOptional({ description: 'true (202): it did not suspend again within SEND_WAIT_MS' }) pending?: boolean;
}

export class BatchCountsDto implements Record<TaskStatus, number> {
  @ApiProperty() queued!: number;
  @ApiProperty() running!: number;
  @ApiProperty() suspended!: number;
  @ApiProperty() paused!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() faulted!: number;
  @ApiProperty() cancelled!: number;
}

export class BatchViewDto implements BatchView {
  @ApiProperty() id!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() total!: number;
  @ApiProperty({ type: BatchCountsDto }) counts!: Record<TaskStatus, number>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiPropertyOptional() wallMs?: number;
  @ApiProperty() sumElapsedMs!: number;
  @ApiPropertyOptional() speedup?: number;
}

export class BatchCreatedDto implements BatchCreated {
  @ApiProperty() id!: string;
  @ApiProperty({ type: [String] }) taskIds!: string[];
}

export class PublishAnswerDto implements PublishAnswer {
  @ApiProperty({ description: "The event's id" }) id!: string;
  @ApiProperty({ description: 'Tasks it woke' }) woken!: number;
  @ApiPropertyOptional({ type: [String], description: 'Tasks it started (definitions whose schedule.on matches)' })
  started?: string[];
}

export class FireRecordDto implements FireRecord {
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() lateMs!: number;
  @ApiPropertyOptional() taskId?: string;
  @ApiProperty({ enum: ['started', 'skipped'] }) result!: 'started' | 'skipped';
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() count?: number;
  @ApiPropertyOptional({ enum: ['schedule', 'manual', 'backfill'] }) trigger?: 'schedule' | 'manual' | 'backfill';
  @ApiPropertyOptional() status?: string;
}

export class FirePageDto implements FirePage {
  @ApiProperty({ type: [FireRecordDto] }) items!: FireRecord[];
  @ApiProperty() offset!: number;
  @ApiProperty() total!: number;
  @ApiPropertyOptional() nextOffset?: number;
}

export class ScheduleViewDto implements ScheduleView {
  @ApiProperty() id!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty(json('cron or every, with timezone, startAt, endAt, jitterMs')) spec!: Json;
  @ApiProperty(json('What each fire starts')) action!: Json;
  @ApiProperty({ enum: OVERLAP_POLICIES }) overlap!: ScheduleView['overlap'];
  @ApiProperty() catchupWindowMs!: number;
  @ApiProperty() pauseOnFailure!: boolean;
  @ApiProperty({ enum: ['active', 'paused', 'ended'] }) state!: 'active' | 'paused' | 'ended';
  @ApiPropertyOptional() note?: string;
  @ApiProperty() fires!: number;
  @ApiPropertyOptional() lastTaskId?: string;
  @ApiProperty({ type: [String], description: 'The next fire times' }) next!: string[];
  @ApiProperty() generation!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional() source?: string;
}

export class SchedulePageDto implements SchedulePage {
  @ApiProperty({ type: [ScheduleViewDto] }) items!: ScheduleView[];
  @ApiPropertyOptional() nextCursor?: string;
}
