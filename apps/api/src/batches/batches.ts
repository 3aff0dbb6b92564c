import { Body, Controller, Get, Inject, Injectable, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { BatchCreatedDto, BatchViewDto } from '../common/views';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import type { BatchCreated, BatchRequest, BatchView, Config } from '@yieldflow/contracts';
import { newId, NewTask, TaskReader, TaskStore } from '@yieldflow/store';
import { Roles } from '../auth/roles';
import { InvalidInputError } from '../common/errors';
import { asSent, Sent } from '../common/as-sent';
import { Namespace } from '../common/namespace';
import { CONFIG } from '../common/tokens';
import { CreateTaskDto } from '../tasks/dto';
import { Submission } from '../tasks/submission';
import { ApiExamples, EXAMPLES } from '../common/examples';
import { ApiChanges } from '../stream/api-changes';

export class CreateBatchDto implements BatchRequest {
  @ApiProperty({ type: [CreateTaskDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CreateTaskDto)
  tasks!: CreateTaskDto[];
}

@Injectable()
export class BatchesService {
  constructor(
    private readonly store: TaskStore,
    private readonly reader: TaskReader,
    private readonly submission: Submission,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Create every task of the batch at once (they start together), or none if one is invalid. */
  async create(namespace: string, body: CreateBatchDto): Promise<BatchCreated> {
    const max = this.config.limits.batchTasks;
    if (body.tasks.length > max)
      throw new InvalidInputError(
        `tasks holds ${body.tasks.length} tasks; at most ${max} per batch (LIMIT_BATCH_TASKS)`,
      );
    const id = newId();
    const tasks: NewTask[] = [];
    for (let i = 0; i < body.tasks.length; i++) {
      const task = await this.submission.toTask(namespace, body.tasks[i], newId(), `tasks[${i}]: `);
      tasks.push({ ...task, batchId: id, fresh: true });
    }
    const taskIds = tasks.map((t) => t.id);
    await this.store.createBatch(namespace, id, taskIds);
    await this.store.create(tasks);
    return { id, taskIds };
  }
}

@ApiTags('batches')
@Controller('v1/batches')
export class BatchesController {
  constructor(
    private readonly batches: BatchesService,
    private readonly reader: TaskReader,
    private readonly changes: ApiChanges,
  ) {}

  @Post()
  @Roles('submitter')
  @ApiOperation({ summary: 'Submit many tasks at once' })
  @ApiCreatedResponse({ description: 'The batch id and its tasks, queued', type: BatchCreatedDto })
  @ApiExamples(CreateBatchDto, EXAMPLES.batch)
  async create(
    @Namespace() ns: string,
    @Body() body: CreateBatchDto,
    @Sent() sent: { tasks?: unknown[] } | undefined,
  ): Promise<BatchCreated> {
    body.tasks.forEach((t, i) => asSent(t, sent?.tasks?.[i], ['input', 'definition']));
    const created = await this.batches.create(ns, body);
    this.changes.queued(ns, created.taskIds);
    return created;
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({
    summary: 'Counts by status, wall time (first start to last finish), summed elapsed time, and speedup',
  })
  @ApiOkResponse({ type: BatchViewDto })
  @ApiNotFoundResponse()
  get(@Namespace() ns: string, @Param('id') id: string): Promise<BatchView> {
    return this.reader.batch(ns, id);
  }
}
