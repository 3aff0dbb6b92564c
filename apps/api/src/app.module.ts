import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { logDestination } from './common/log-format';
import type { Config } from '@yieldflow/contracts';
import { authProviders } from './auth/providers';
import { KeysController } from './auth/keys';
import { BatchesController, BatchesService } from './batches/batches';
import { ConcurrencyController } from './concurrency/concurrency';
import { providers } from './common/providers';
import { RedisLifecycle } from './common/redis-lifecycle';
import { CONFIG, COROUTINES, LOGGER } from './common/tokens';
import type { CoroutineRegistry } from '@yieldflow/runtime';
import { DefinitionsController, DefinitionsService } from './definitions/definitions';
import { EventsController, EventsService } from './events/events';
import { HealthController, Indicators } from './health/health';
import { MetricsController, MetricsService } from './metrics/metrics';
import { SchedulesController } from './schedules/schedules.controller';
import { SchedulesService } from './schedules/schedules.service';
import { DefinitionSchedules } from './schedules/definition-schedule';
import { EventStarts } from './schedules/event-starts';
import { NotifyHub } from './tasks/notify-hub';
import { Submission } from './tasks/submission';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';
import { streamControllers, streamProviders } from './stream/providers';
import { OverviewController } from './overview/overview.controller';
import { OverviewService } from './overview/overview.service';
import { DashboardController } from './dashboard/dashboard.controller';
import { DashboardFiles } from './dashboard/dashboard-files';
import { BoardQueues, boardModule } from './queues/board';

@Module({})
export class AppModule {
  /** `registry`: the coroutines submissions are checked against (and versioned by); the deployment's by default. */
  static forRoot(
    config: Config,
    logLevel = process.env.LOG_LEVEL ?? 'info',
    registry?: CoroutineRegistry,
  ): DynamicModule {
    const logger = appLogger(logLevel);
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        // the application's logger; request lines are written by requestLog (create-app.ts), not by
        // pino-http's per-request child loggers, which cost a serialised request each even when unused
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        boardModule(),
      ],
      controllers: [
        TasksController,
        BatchesController,
        ConcurrencyController,
        EventsController,
        DefinitionsController,
        KeysController,
        HealthController,
        MetricsController,
        SchedulesController,
        ...streamControllers,
        OverviewController,
        DashboardController,
      ],
      providers: [
        ...providers.filter(
          (p) => !('provide' in p) || (p.provide !== CONFIG && !(registry && p.provide === COROUTINES)),
        ),
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        ...(registry ? [{ provide: COROUTINES, useValue: registry }] : []),
        RedisLifecycle,
        Submission,
        NotifyHub,
        TasksService,
        BatchesService,
        EventsService,
        DefinitionsService,
        Indicators,
        MetricsService,
        SchedulesService,
        DefinitionSchedules,
        EventStarts,
        ...authProviders,
        ...streamProviders,
        OverviewService,
        DashboardFiles,
        BoardQueues,
      ],
    };
  }
}

/** The api's pino logger: JSON lines on stdout, or readable ones with LOG_FORMAT=pretty. */
function appLogger(level: string): Logger {
  const destination = logDestination();
  return destination ? pino({ level }, destination) : pino({ level });
}
