import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Json } from '@yieldflow/runtime';
import type { WorkflowDocument } from '@yieldflow/dsl';
import { DefinitionRegistry, EventStartIndex, type StoredEvent, TaskStore } from '@yieldflow/store';
import { InvalidInputError } from '../common/errors';

interface Filter {
  type?: string;
  source?: string;
}
interface EventStart {
  filters: Filter[];
  ref: { namespace: string; name: string; version: string };
}

/**
 * `document.schedule.on` of a registered definition: every event published in the namespace that matches
 * one of its filters (`one`, or `any` of several: `with.type`, `with.source`) starts a task of that
 * version with `[event]` as input, once per event id. A newer version replaces the filters.
 */
@Injectable()
export class EventStarts {
  constructor(
    private readonly store: TaskStore,
    private readonly definitions: DefinitionRegistry,
  ) {
    this.index = new EventStartIndex(store);
  }

  private readonly index: EventStartIndex;

  /** Keep a definition's `on` filters; false when its schedule has none. */
  async registered(ns: string, doc: WorkflowDocument): Promise<boolean> {
    const on = (
      doc.schedule as { on?: { one?: { with?: Filter }; any?: { with?: Filter }[]; all?: unknown } } | undefined
    )?.on;
    if (!on) return false;
    if (on.all !== undefined) throw new InvalidInputError('schedule.on.all is not supported: use one or any');
    const filters = (on.one ? [on.one] : (on.any ?? [])).map((f) => ({ type: f.with?.type, source: f.with?.source }));
    if (filters.length === 0 || filters.some((f) => !f.type && !f.source))
      throw new InvalidInputError('schedule.on needs a type or source to match in each filter');
    const { namespace, name, version } = doc.document;
    const start: EventStart = { filters, ref: { namespace, name, version } };
    await this.index.set(ns, `${namespace}/${name}`, JSON.stringify(start));
    return true;
  }

  /** Start the tasks an event matches; their ids. */
  async published(ns: string, event: StoredEvent): Promise<string[]> {
    const all = await this.index.all(ns);
    const ids: string[] = [];
    for (const [key, text] of Object.entries(all)) {
      const start = JSON.parse(text) as EventStart;
      if (!start.filters.some((f) => (!f.type || f.type === event.type) && (!f.source || f.source === event.source)))
        continue;
      const found = await this.definitions.resolve(ns, start.ref.namespace, start.ref.name, start.ref.version);
      if (!found) continue;
      const id = `evs-${createHash('sha256').update(`${ns}\u0000${key}\u0000${event.id}`).digest('base64url').slice(0, 22)}`;
      const input = [event] as unknown as Json;
      await this.store.create([
        {
          id,
          namespace: ns,
          kind: 'definition',
          name: `${found.namespace}/${found.name}@${found.version}`,
          input,
          definitionHash: found.hash,
        },
      ]);
      ids.push(id);
    }
    return ids;
  }
}
