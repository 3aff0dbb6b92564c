import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { FirePageDto, SchedulePageDto, ScheduleViewDto } from '../common/views';
import type { FirePage, SchedulePage, ScheduleView } from '@yieldflow/contracts';
import { Roles } from '../auth/roles';
import { asSent, Sent } from '../common/as-sent';
import { Namespace } from '../common/namespace';
import {
  BackfillDto,
  CreateScheduleDto,
  FiresQuery,
  PageQuery,
  PauseDto,
  PreviewQuery,
  ScheduleFieldsDto,
} from './dto';
import { SchedulesService } from './schedules.service';
import { ApiExamples, EXAMPLES } from '../common/examples';
import { ApiChanges } from '../stream/api-changes';

export class TriggeredDto {
  @ApiProperty({ description: 'The task the fire started' }) taskId!: string;
}

export class BackfillAnswerDto {
  @ApiProperty({ description: 'The task running the backfill' }) taskId!: string;
  @ApiProperty({ description: 'How many fires the range holds' }) fires!: number;
}

export class PreviewDto {
  @ApiProperty({ type: [String], description: 'The next fire times' }) fires!: string[];
}

@ApiTags('schedules')
@Controller('v1/schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly changes: ApiChanges,
  ) {}

  @Post()
  @Roles('submitter')
  @ApiOperation({ summary: 'Create a schedule: start a task on a cron expression or every interval' })
  @ApiCreatedResponse({ description: 'The schedule, with its next fire times', type: ScheduleViewDto })
  @ApiBadRequestResponse({
    description: 'A field is not acceptable (bad cron, unknown time zone, ...): the message names it',
  })
  @ApiConflictResponse({ description: 'The id is taken in the namespace' })
  @ApiExamples(CreateScheduleDto, EXAMPLES.schedule)
  create(
    @Namespace() ns: string,
    @Body() body: CreateScheduleDto,
    @Sent() sent: Record<string, unknown> | undefined,
  ): Promise<ScheduleView> {
    return this.schedules.create(ns, asSent(body, sent, ['input', 'definition']));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "A page of the namespace's schedules, oldest first" })
  @ApiOkResponse({ type: SchedulePageDto })
  list(@Namespace() ns: string, @Query() q: PageQuery): Promise<SchedulePage> {
    return this.schedules.list(ns, q.limit ?? 50, q.cursor);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'A schedule: spec, policies, state, fires so far, next fire times' })
  @ApiOkResponse({ type: ScheduleViewDto })
  @ApiNotFoundResponse()
  get(@Namespace() ns: string, @Param('id') id: string): Promise<ScheduleView> {
    return this.schedules.get(ns, id);
  }

  @Patch(':id')
  @Roles('submitter')
  @ApiOperation({
    summary: 'Change a schedule (the fields given replace the stored ones; null removes one); it goes on from now',
  })
  @ApiOkResponse({ type: ScheduleViewDto })
  @ApiNotFoundResponse()
  @ApiExamples(ScheduleFieldsDto, EXAMPLES.scheduleFields)
  update(
    @Namespace() ns: string,
    @Param('id') id: string,
    @Body() body: ScheduleFieldsDto,
    @Sent() sent: Record<string, unknown> | undefined,
  ): Promise<ScheduleView> {
    return this.schedules.update(
      ns,
      id,
      asSent(body, sent, ['input', 'definition']) as ScheduleFieldsDto & Record<string, unknown>,
    );
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule: it fires no more (tasks it started go on)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse()
  async delete(@Namespace() ns: string, @Param('id') id: string): Promise<void> {
    await this.schedules.delete(ns, id);
  }

  @Post(':id/pause')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a schedule, with a note' })
  @ApiOkResponse({ type: ScheduleViewDto })
  @ApiNotFoundResponse()
  @ApiExamples(PauseDto, EXAMPLES.pause)
  pause(@Namespace() ns: string, @Param('id') id: string, @Body() body: PauseDto): Promise<ScheduleView> {
    return this.schedules.pause(ns, id, body.note);
  }

  @Post(':id/resume')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused schedule: it fires from now on (fires while paused are not run)' })
  @ApiOkResponse({ type: ScheduleViewDto })
  @ApiNotFoundResponse()
  resume(@Namespace() ns: string, @Param('id') id: string): Promise<ScheduleView> {
    return this.schedules.resume(ns, id);
  }

  @Post(':id/trigger')
  @Roles('operator')
  @HttpCode(201)
  @ApiOperation({ summary: "Start the schedule's task now (whatever the overlap policy), recorded as a manual fire" })
  @ApiCreatedResponse({ type: TriggeredDto })
  @ApiNotFoundResponse()
  async trigger(@Namespace() ns: string, @Param('id') id: string): Promise<{ taskId: string }> {
    const fired = await this.schedules.trigger(ns, id);
    this.changes.queued(ns, [fired.taskId], 'fire');
    return fired;
  }

  @Post(':id/backfill')
  @Roles('operator')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Run the fires of a past range (from, to] with an overlap policy; each fire starts at most once',
  })
  @ApiCreatedResponse({
    description: '{ taskId (the task running the backfill), fires (how many the range holds) }',
    type: BackfillAnswerDto,
  })
  @ApiNotFoundResponse()
  @ApiExamples(BackfillDto, EXAMPLES.backfill)
  backfill(
    @Namespace() ns: string,
    @Param('id') id: string,
    @Body() body: BackfillDto,
  ): Promise<{ taskId: string; fires: number }> {
    return this.schedules.backfill(ns, id, body);
  }

  @Get(':id/preview')
  @Roles('viewer')
  @ApiOperation({ summary: 'The next count fire times' })
  @ApiOkResponse({ type: PreviewDto })
  @ApiNotFoundResponse()
  preview(@Namespace() ns: string, @Param('id') id: string, @Query() q: PreviewQuery): Promise<{ fires: string[] }> {
    return this.schedules.preview(ns, id, q.count ?? 10);
  }

  @Get(':id/fires')
  @Roles('viewer')
  @ApiOperation({
    summary:
      'Fire records, newest first (the last 1,000): due time, start, lateness, task id and its status, or why it was skipped',
  })
  @ApiOkResponse({ type: FirePageDto })
  @ApiNotFoundResponse()
  fires(@Namespace() ns: string, @Param('id') id: string, @Query() q: FiresQuery): Promise<FirePage> {
    return this.schedules.fires(ns, id, q.offset ?? 0, q.limit ?? 100);
  }
}
