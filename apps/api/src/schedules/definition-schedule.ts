import { Injectable } from '@nestjs/common';
import { durationMs, type WorkflowDocument } from '@yieldflow/dsl';
import type { Duration } from '@yieldflow/dsl';
import type { ScheduleFieldsDto } from './dto';
import { EventStarts } from './event-starts';
import { SchedulesService } from './schedules.service';

/** The id of the schedule a registered definition's document.schedule makes (one per workflow name). */
export const definitionScheduleId = (namespace: string, name: string): string =>
  `def-${namespace}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);

/**
 * A registered definition's `document.schedule` (`cron`, `every` or `after`) creates its schedule, and a newer
 * version replaces it (it then starts that version). `on` starts a task per matching event (EventStarts).
 */
@Injectable()
export class DefinitionSchedules {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly events: EventStarts,
  ) {}

  async registered(ns: string, doc: WorkflowDocument, latest: boolean): Promise<string | undefined> {
    const schedule = doc.schedule as { cron?: string; every?: Duration; after?: Duration } | undefined;
    if (!latest || !schedule) return undefined;
    if (await this.events.registered(ns, doc)) return undefined;
    if (schedule.cron === undefined && schedule.every === undefined && schedule.after === undefined) return undefined;
    const { namespace, name, version } = doc.document;
    const id = definitionScheduleId(namespace, name);
    const body = {
      cron: schedule.cron ?? null,
      every: schedule.every !== undefined ? durationMs(schedule.every) : null,
      after:
        schedule.after !== undefined && schedule.cron === undefined && schedule.every === undefined
          ? durationMs(schedule.after)
          : null,
      definitionRef: { namespace, name, version },
    };
    const source = `definition ${namespace}/${name}@${version}`;
    if (await this.schedules.exists(ns, id))
      await this.schedules.update(ns, id, body as unknown as ScheduleFieldsDto & Record<string, unknown>, source);
    else
      await this.schedules.create(
        ns,
        { id, ...body, cron: body.cron ?? undefined, every: body.every ?? undefined, after: body.after ?? undefined },
        source,
      );
    return id;
  }
}
