import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ANY_JSON,
  SendAnswerDto,
  SuspensionPageDto,
  SuspensionViewDto,
  TaskPageDto,
  TaskViewDto,
  TracePageDto,
} from '../common/views';
import type { Request, Response } from 'express';
import type { TaskValueName } from '@yieldflow/store';
import type { EntryPage, TaskPage, TaskView, SuspensionView } from '@yieldflow/contracts';
import type { Json } from '@yieldflow/runtime';
import { Roles } from '../auth/roles';
import { asSent, Sent } from '../common/as-sent';
import { Namespace } from '../common/namespace';
import { CreateTaskDto, EntryPageQuery, ListTasksQuery, PauseDto, RerunDto, SendDto } from './dto';
import { type SendAnswer, TasksService } from './tasks.service';
import { ApiChanges } from '../stream/api-changes';
import { type BulkAnswer, BulkAnswerDto, BulkDto } from './bulk';
import { ApiExamples, EXAMPLES } from '../common/examples';

@ApiTags('tasks')
@Controller('v1/tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly changes: ApiChanges,
  ) {}

  @Post()
  @Roles('submitter')
  @ApiOperation({
    summary: 'Submit a task: a registered coroutine, an inline workflow definition, or a registered one',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retried submission with the same key and body returns the same task (200)',
  })
  @ApiCreatedResponse({ description: 'The task, queued', type: TaskViewDto })
  @ApiOkResponse({
    description: 'A repeat of an earlier submission with the same Idempotency-Key and body: the task it created',
    type: TaskViewDto,
  })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with another body' })
  @ApiExamples(CreateTaskDto, EXAMPLES.submit)
  async create(
    @Namespace() ns: string,
    @Body() body: CreateTaskDto,
    @Sent() sent: Record<string, unknown> | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskView> {
    const { task, created } = await this.tasks.create(ns, asSent(body, sent, ['input', 'definition']), key);
    res.status(created ? 201 : 200);
    this.changes.task(ns, task, 'created');
    return task;
  }

  @Get()
  @Roles('viewer')
  @ApiOkResponse({ type: TaskPageDto })
  @ApiOperation({
    summary:
      'A page of tasks, newest first (by id with idPrefix): filters by status, coroutine, definition, batchId, scheduleId, createdAfter/createdBefore, idPrefix; a page may be short and still have a nextCursor',
  })
  list(@Namespace() ns: string, @Query() q: ListTasksQuery): Promise<TaskPage> {
    return this.tasks.list(ns, q);
  }

  @Post('bulk')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel, terminate, pause, resume or retry every task a filter matches (status, coroutine, definition, batchId), 10,000 at most per request',
  })
  @ApiOkResponse({
    description:
      '{ action, matched, touched, skipped, truncated?, message? }: skipped tasks are those the action does not apply to',
    type: BulkAnswerDto,
  })
  @ApiExamples(BulkDto, EXAMPLES.bulk)
  async bulk(@Namespace() ns: string, @Body() body: BulkDto): Promise<BulkAnswer> {
    const answer = await this.tasks.bulk(ns, body);
    this.changes.bulk(ns);
    return answer;
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'A task: status, timings, what it yielded, and each suspension with its lateness' })
  @ApiOkResponse({ type: TaskViewDto })
  @ApiNotFoundResponse()
  get(@Namespace() ns: string, @Param('id') id: string): Promise<TaskView> {
    return this.tasks.get(ns, id);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Remove a finished task at once, with its journal, trace and index entries (else it goes after its retention period)',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiConflictResponse({ description: 'The task has not finished (cancel or terminate it first)' })
  @ApiNotFoundResponse()
  remove(@Namespace() ns: string, @Param('id') id: string): Promise<void> {
    return this.tasks.remove(ns, id);
  }

  @Get(':id/suspensions')
  @Roles('viewer')
  @ApiOperation({ summary: "A page of a task's suspensions, oldest first: from offset, or the latest without one" })
  @ApiOkResponse({
    description:
      '{ items, offset, total, nextOffset? }; an entry over LIMIT_VIEW_VALUE_BYTES is { step, truncated: { bytes, href } }',
    type: SuspensionPageDto,
  })
  @ApiNotFoundResponse()
  suspensions(
    @Namespace() ns: string,
    @Param('id') id: string,
    @Query() q: EntryPageQuery,
  ): Promise<EntryPage<SuspensionView>> {
    return this.tasks.suspensions(ns, id, q);
  }

  @Get(':id/suspensions/:step')
  @Roles('viewer')
  @ApiOperation({ summary: 'One suspension in full, however large' })
  @ApiOkResponse({ type: SuspensionViewDto })
  @ApiNotFoundResponse()
  suspension(@Namespace() ns: string, @Param('id') id: string, @Param('step') step: string): Promise<SuspensionView> {
    return this.tasks.suspension(ns, id, step);
  }

  @Get(':id/trace')
  @Roles('viewer')
  @ApiOperation({ summary: "A page of a task's trace, oldest first: from offset, or the latest without one" })
  @ApiOkResponse({
    description:
      '{ items, offset, total, nextOffset? }; an entry over LIMIT_VIEW_VALUE_BYTES is { truncated: { bytes, href } }',
    type: TracePageDto,
  })
  @ApiNotFoundResponse()
  trace(@Namespace() ns: string, @Param('id') id: string, @Query() q: EntryPageQuery): Promise<EntryPage<Json>> {
    return this.tasks.trace(ns, id, q);
  }

  @Get(':id/trace/:index')
  @Roles('viewer')
  @ApiOperation({ summary: 'One trace entry in full, however large' })
  @ApiOkResponse({ description: 'The entry (any JSON)', schema: ANY_JSON })
  @ApiNotFoundResponse()
  traceEntry(@Namespace() ns: string, @Param('id') id: string, @Param('index') index: string): Promise<Json> {
    return this.tasks.traceEntry(ns, id, index);
  }

  @Get([':id/input', ':id/output', ':id/error', ':id/yielded', ':id/effect'])
  @Roles('viewer')
  @ApiOperation({
    summary: "One of a task's values in full (input, output, error, yielded, or the effect it waits on), however large",
  })
  @ApiOkResponse({ description: 'The value (any JSON)', schema: ANY_JSON })
  @ApiNotFoundResponse()
  value(@Namespace() ns: string, @Param('id') id: string, @Req() req: Request): Promise<Json> {
    return this.tasks.value(ns, id, req.path.slice(req.path.lastIndexOf('/') + 1) as TaskValueName);
  }

  @Post(':id/send')
  @Roles('submitter')
  @HttpCode(200)
  @ApiOperation({
    summary: "Send a value into a task waiting in receive; answers with what it yields next (Python's send())",
  })
  @ApiOkResponse({ description: '{ yielded, status, output? }: what it yielded next, or its end', type: SendAnswerDto })
  @ApiAcceptedResponse({
    description: '{ yielded, status, pending: true }: it took the value but did not suspend again within SEND_WAIT_MS',
    type: SendAnswerDto,
  })
  @ApiConflictResponse({ description: 'The task is not waiting for a value; the message says what it does instead' })
  @ApiExamples(SendDto, EXAMPLES.send)
  async send(
    @Namespace() ns: string,
    @Param('id') id: string,
    @Body() body: SendDto,
    @Sent() sent: Record<string, unknown> | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SendAnswer> {
    const answer = await this.tasks.send(ns, id, asSent(body, sent, ['value']).value);
    if (answer.pending) res.status(202);
    this.changes.status(ns, id, answer.status);
    return answer;
  }

  @Post(':id/cancel')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel a task (the seed's close()): its timers and waits are removed" })
  @ApiOkResponse({ description: 'The task, cancelled', type: TaskViewDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The task already ended' })
  async cancel(@Namespace() ns: string, @Param('id') id: string): Promise<TaskView> {
    return this.control(ns, await this.tasks.cancel(ns, id));
  }

  @Post(':id/terminate')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'End a task at once, without running its cleanup: cancelled with terminated: true, its children terminated with it',
  })
  @ApiOkResponse({ description: 'The task, cancelled with terminated: true', type: TaskViewDto })
  @ApiConflictResponse({ description: 'The task already ended' })
  @ApiNotFoundResponse()
  async terminate(@Namespace() ns: string, @Param('id') id: string): Promise<TaskView> {
    return this.control(ns, await this.tasks.terminate(ns, id));
  }

  @Post(':id/retry')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Retry a faulted task from the step that failed: the steps before keep their journaled results (replayed), the failing one runs again',
  })
  @ApiOkResponse({ description: 'The task, queued again', type: TaskViewDto })
  @ApiConflictResponse({ description: 'The task is not faulted, or is a child task (retry its parent)' })
  @ApiNotFoundResponse()
  async retry(@Namespace() ns: string, @Param('id') id: string): Promise<TaskView> {
    return this.control(ns, await this.tasks.retry(ns, id));
  }

  @Post(':id/rerun')
  @Roles('operator')
  @ApiOperation({
    summary:
      'Rerun a task as a new one (rerunOf links it): from a journal step (fromStep) or, for a definition, a task of the workflow (fromTask), with new input',
  })
  @ApiCreatedResponse({
    description: 'The new task, queued: its journal is the old one up to that step, replayed before it runs on',
    type: TaskViewDto,
  })
  @ApiConflictResponse({ description: 'The step is past the journal, or the workflow never started that task' })
  @ApiNotFoundResponse()
  @ApiExamples(RerunDto, EXAMPLES.rerun)
  async rerun(
    @Namespace() ns: string,
    @Param('id') id: string,
    @Body() body: RerunDto,
    @Sent() sent: Record<string, unknown> | undefined,
  ): Promise<TaskView> {
    const task = await this.tasks.rerun(ns, id, asSent(body, sent, ['input']));
    this.changes.task(ns, task, 'created');
    return task;
  }

  @Post(':id/pause')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pause a task: its timers, values and events do not resume it until it is resumed (a running task pauses at its next suspension)',
  })
  @ApiOkResponse({ description: 'The task, paused (or pauseRequested while it runs)', type: TaskViewDto })
  @ApiConflictResponse({ description: 'The task already ended, or is already paused' })
  @ApiNotFoundResponse()
  @ApiExamples(PauseDto, EXAMPLES.pause)
  async pause(@Namespace() ns: string, @Param('id') id: string, @Body() body: PauseDto): Promise<TaskView> {
    return this.control(ns, await this.tasks.pause(ns, id, body?.note));
  }

  @Post(':id/resume')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resume a paused task: a timer already due fires at once, a value or event kept meanwhile is delivered',
  })
  @ApiOkResponse({ description: 'The task, resumed', type: TaskViewDto })
  @ApiConflictResponse({ description: 'The task is not paused, or already ended' })
  @ApiNotFoundResponse()
  async resume(@Namespace() ns: string, @Param('id') id: string): Promise<TaskView> {
    return this.control(ns, await this.tasks.resume(ns, id));
  }

  private control(ns: string, task: TaskView): TaskView {
    this.changes.task(ns, task, 'control');
    return task;
  }
}
