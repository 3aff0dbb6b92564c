import { Injectable } from '@nestjs/common';
import { ChangeFeed } from './change-feed';

/** What the api answered about one task: its id, its status, its journal length when it has one. */
interface Answered {
  id: string;
  status: string;
  steps?: number;
}

/**
 * The api's own changes on the stream: after a successful request that creates or changes tasks, its
 * controller publishes one message with what it answered (the task, the batch's task ids, the fire's
 * task), so the workers' write-backs are not the only source. Nothing is published while nobody listens
 * (ChangeFeed.listened), for reads, or for failed requests (a controller publishes only once it has its
 * answer).
 */
@Injectable()
export class ApiChanges {
  constructor(private readonly feed: ChangeFeed) {}

  /** A task created (submitted, rerun), or changed by a control action. */
  task(namespace: string, t: Answered, kind: 'created' | 'control'): void {
    if (!this.feed.listened) return;
    this.feed.publish(
      namespace,
      [{ id: t.id, status: t.status, ...(typeof t.steps === 'number' ? { step: t.steps } : {}) }],
      kind,
    );
  }

  /** A task whose status changed, when the answer is not the task (a send's). */
  status(namespace: string, id: string, status: string): void {
    if (this.feed.listened) this.feed.publish(namespace, [{ id, status }], 'control');
  }

  /** Tasks created queued, by a batch or an event (`created`), or by a schedule's fire (`fire`). */
  queued(namespace: string, ids: string[], kind: 'created' | 'fire' = 'created'): void {
    if (this.feed.listened)
      this.feed.publish(
        namespace,
        ids.map((id) => ({ id, status: 'queued' })),
        kind,
      );
  }

  /** A bulk action: which tasks it touched is not listed; clients refresh. */
  bulk(namespace: string): void {
    if (this.feed.listened) this.feed.publish(namespace, [], 'control');
  }
}
