import { Body, Controller, HttpCode, Inject, Injectable, Optional, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { Config, EventRequest, PublishAnswer } from '@yieldflow/contracts';
import { EventBufferFullError, LimitError, type StoredEvent, TaskStore } from '@yieldflow/store';
import { RateLimitedError } from '../auth/errors';
import { Roles } from '../auth/roles';
import { InvalidInputError } from '../common/errors';
import { asSent, Sent } from '../common/as-sent';
import { Namespace } from '../common/namespace';
import { CONFIG } from '../common/tokens';
import { EventStarts } from '../schedules/event-starts';
import { ApiExamples, EXAMPLES } from '../common/examples';
import { ANY_JSON_PROPERTY, PublishAnswerDto } from '../common/views';
import { ApiChanges } from '../stream/api-changes';

export class CloudEventDto implements EventRequest {
  @ApiProperty({ example: 'com.example.order.paid' })
  @MinLength(1)
  @MaxLength(256)
  @Matches(/^[^*\s]+$/, { message: "type must not contain spaces or '*'" })
  @IsString()
  type!: string;

  @ApiProperty({ example: 'https://shop.example.com' })
  @MinLength(1)
  @MaxLength(1024)
  @IsString()
  source!: string;

  @ApiPropertyOptional({
    description: 'Defaults to a new UUID; publishing the same id twice wakes nobody the second time',
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(256)
  @IsString()
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(1024)
  @IsString()
  subject?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; defaults to now' })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  time?: string;

  @ApiPropertyOptional({ default: '1.0' })
  @IsOptional()
  @Matches(/^1\.0$/, { message: 'specversion must be 1.0' })
  @IsString()
  specversion?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(256)
  @IsString()
  datacontenttype?: string;

  @ApiPropertyOptional({ description: 'Any JSON', ...ANY_JSON_PROPERTY })
  @IsOptional()
  data?: unknown;
}

@Injectable()
export class EventsService {
  constructor(
    private readonly store: TaskStore,
    @Inject(CONFIG) private readonly config: Config,
    @Optional() private readonly starts?: EventStarts,
  ) {}

  async publish(namespace: string, body: CloudEventDto): Promise<PublishAnswer> {
    if (body.time !== undefined && Number.isNaN(Date.parse(body.time)))
      throw new InvalidInputError('time must be an RFC 3339 timestamp');
    const event: StoredEvent = {
      specversion: '1.0',
      id: body.id ?? randomUUID(),
      time: body.time ?? new Date().toISOString(),
      type: body.type,
      source: body.source,
    };
    if (body.subject !== undefined) event.subject = body.subject;
    if (body.datacontenttype !== undefined) event.datacontenttype = body.datacontenttype;
    if (body.data !== undefined) event.data = body.data as never;
    const size = Buffer.byteLength(JSON.stringify(event));
    if (size > this.config.limits.eventBytes)
      throw new LimitError(`the event is ${size} bytes; at most ${this.config.limits.eventBytes} (LIMIT_EVENT_BYTES)`);
    // the namespace's buffered events at their byte cap: 429 until the oldest leaves the buffer
    const woken = await this.store.publishEvent(namespace, event).catch((err: unknown) => {
      throw err instanceof EventBufferFullError
        ? new RateLimitedError(err.message, Math.ceil(err.retryAfterMs / 1000))
        : err;
    });
    // definitions whose document.schedule.on matches start a task each (once per event id)
    const started = this.starts ? await this.starts.published(namespace, event) : [];
    return started.length
      ? { id: event.id, woken: Math.max(0, woken), started }
      : { id: event.id, woken: Math.max(0, woken) };
  }
}

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly changes: ApiChanges,
  ) {}

  @Post()
  @Roles('submitter')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Publish a CloudEvent: wakes the namespace's tasks waiting for its type, and starts the definitions whose schedule.on it matches",
  })
  @ApiAcceptedResponse({ description: '{ id, woken, started? (ids of the tasks it started) }', type: PublishAnswerDto })
  @ApiExamples(CloudEventDto, EXAMPLES.event)
  async publish(
    @Namespace() ns: string,
    @Body() body: CloudEventDto,
    @Sent() sent: Record<string, unknown> | undefined,
  ): Promise<PublishAnswer> {
    const answer = await this.events.publish(ns, asSent(body, sent, ['data']));
    if (answer.started) this.changes.queued(ns, answer.started);
    return answer;
  }
}
