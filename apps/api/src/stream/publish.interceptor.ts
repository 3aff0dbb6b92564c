import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { type Observable, tap } from 'rxjs';
import { ChangeFeed, type TaskChange } from './change-feed';

type Answer =
  | { id?: unknown; status?: unknown; steps?: unknown; taskId?: unknown; taskIds?: unknown; started?: unknown }
  | null
  | undefined;

const asChange = (a: Answer): TaskChange | null =>
  a && typeof a.id === 'string' && typeof a.status === 'string'
    ? { id: a.id, status: a.status, ...(typeof a.steps === 'number' ? { step: a.steps } : {}) }
    : null;

/**
 * The api's own changes on the stream: after a successful POST that creates or changes tasks, one
 * message with what it answered (the task, the batch's task ids, the fire's task), so the workers'
 * write-backs are not the only source. Nothing is published for reads or failed requests.
 */
@Injectable()
export class PublishChanges implements NestInterceptor {
  constructor(private readonly feed: ChangeFeed) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request & { namespace?: string }>();
    if (req.method !== 'POST' || !req.path.startsWith('/v1/') || !this.feed.listened) return next.handle();
    return next.handle().pipe(tap((answer: unknown) => this.publish(req, answer as Answer)));
  }

  private publish(req: Request & { namespace?: string }, a: Answer): void {
    const ns = req.namespace ?? 'default';
    const path = req.path;
    const m = /^\/v1\/tasks\/([^/]+)\/(\w+)$/.exec(path);
    const task = asChange(a);
    if (path === '/v1/tasks' && task) return this.feed.publish(ns, [task], 'created');
    if (m && m[1] !== 'bulk') {
      if (task) return this.feed.publish(ns, [task], m[2] === 'rerun' ? 'created' : 'control');
      if (a && typeof a.status === 'string') return this.feed.publish(ns, [{ id: m[1], status: a.status }], 'control');
      return;
    }
    if (path === '/v1/tasks/bulk') return this.feed.publish(ns, [], 'control');
    if (path === '/v1/batches' && a && Array.isArray(a.taskIds))
      return this.feed.publish(
        ns,
        (a.taskIds as string[]).map((id) => ({ id, status: 'queued' })),
        'created',
      );
    if (/^\/v1\/schedules\/[^/]+\/trigger$/.test(path) && a && typeof a.taskId === 'string')
      return this.feed.publish(ns, [{ id: a.taskId, status: 'queued' }], 'fire');
    if (path === '/v1/events' && a && Array.isArray(a.started))
      return this.feed.publish(
        ns,
        (a.started as string[]).map((id) => ({ id, status: 'queued' })),
        'created',
      );
  }
}
