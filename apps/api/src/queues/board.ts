import {
  type ArgumentsHost,
  type ExecutionContext,
  Inject,
  Injectable,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
// the root module alone: the package's index also loads its forFeature module, which needs
// @nestjs/bull-shared (an ES module that Node 20 cannot require, and only a development dependency here)
import { BULL_BOARD_INSTANCE } from '@bull-board/nestjs/dist/bull-board.constants';
import { BullBoardRootModule as BullBoardModule } from '@bull-board/nestjs/dist/bull-board.root-module';
import type { BullBoardInstance, BullBoardModuleOptions } from '@bull-board/nestjs/dist/bull-board.types';
import { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import Redis from 'ioredis';
import type { Config } from '@yieldflow/contracts';
import { JobQueues, TaskStore } from '@yieldflow/store';
import { AuthGuard } from '../auth/auth.guard';
import { Roles, SystemOnly } from '../auth/roles';
import { ErrorFilter } from '../common/error.filter';
import { CONFIG } from '../common/tokens';

export const BOARD_ROUTE = '/admin/queues';

/** Bull Board, as an Express router under /admin/queues (its queues are added by BoardQueues). */
// (@bull-board/express 9.10.1 brings its own copy of @bull-board/api 9.10.1, whose types differ only in
// private members from the 9.10.2 the Nest module uses: the cast is for the compiler, not the runtime)
export const boardModule = () =>
  BullBoardModule.forRoot({
    route: BOARD_ROUTE,
    adapter: ExpressAdapter as unknown as BullBoardModuleOptions['adapter'],
  });

/** What the board's routes need, read by the AuthGuard as a handler's metadata: admin of namespace 'system'. */
@Roles('admin')
@SystemOnly()
class BoardRoutes {}

/**
 * The board is a middleware router, which the global guard (it guards controllers only) does not see:
 * this runs the same guard in front of it. BullMQ queues belong to the deployment, not to a namespace,
 * so the board needs an admin of namespace 'system' (ADMIN_KEY, or a system admin key).
 */
export function boardAuth(guard: AuthGuard, filter = new ErrorFilter()) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const http = { getRequest: () => req, getResponse: () => res, getNext: () => next };
    const ctx = {
      getHandler: () => BoardRoutes,
      getClass: () => BoardRoutes,
      switchToHttp: () => http,
    } as unknown as ExecutionContext;
    guard.canActivate(ctx).then(
      () => next(),
      (err: unknown) => filter.catch(err, { switchToHttp: () => http } as unknown as ArgumentsHost),
    );
  };
}

/**
 * The queues the board shows: BULL_BOARD_QUEUES, and those `job()` steps have added jobs to (recorded by
 * the workers), looked up again at most every 5 s when the board is used.
 */
@Injectable()
export class BoardQueues implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue>();
  private readonly connection: Redis;
  private readonly jobQueues: JobQueues;
  private lookedAt = 0;

  constructor(
    @Inject(BULL_BOARD_INSTANCE) private readonly board: BullBoardInstance,
    store: TaskStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.connection = new Redis(config.bullmq?.url ?? config.redisUrl, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
    });
    this.jobQueues = new JobQueues(store);
  }

  /** Add the queues not shown yet (a middleware in front of the board calls it). */
  async refresh(now = Date.now()): Promise<void> {
    if (now - this.lookedAt < 5000) return;
    this.lookedAt = now;
    const used = await this.jobQueues.list();
    for (const name of [...(this.config.bullmq?.boardQueues ?? []), ...used.sort()]) {
      if (this.queues.has(name)) continue;
      const queue = new Queue(name, { connection: this.connection, prefix: this.config.bullmq?.prefix ?? 'bull' });
      this.queues.set(name, queue);
      this.board.addQueue(new BullMQAdapter(queue));
    }
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.connection.disconnect();
  }
}

/** Authenticate, then make sure the board knows the queues in use. */
export function boardMiddleware(guard: AuthGuard, queues: BoardQueues) {
  const auth = boardAuth(guard);
  return (req: Request, res: Response, next: NextFunction): void =>
    auth(req, res, () => {
      queues.refresh().then(
        () => next(),
        (err: unknown) => next(err),
      );
    });
}
