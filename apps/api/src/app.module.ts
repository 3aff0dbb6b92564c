import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { requestLogLevel } from './common/request-log';
import { logDestination } from './common/log-format';
import type { Config } from '@yieldflow/contracts';
import { authProviders } from './auth/providers';
import { KeysController } from './auth/keys';
import { BatchesController, BatchesService } from './batches/batches';
import { ConcurrencyController } from './concurrency/concurrency';
import { providers } from './common/providers';
import { RedisLifecycle } from './common/redis-lifecycle';
import { CONFIG, COROUTINES } from './common/tokens';
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
    return {
      module: AppModule,
      imports: [
        TerminusModule,
        LoggerModule.forRoot({
          pinoHttp: withDestination({
            level: logLevel,
            autoLogging: { ignore: (req) => req.url?.startsWith('/health') === true || req.url === '/metrics' },
            // a line per request costs throughput: at debug, unless it failed or was slow (always logged)
            customLogLevel: requestLogLevel(config.slowRequestMs),
            redact: ['req.headers.authorization'],
          }),
        }),
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

/** pino-http's options, with the LOG_FORMAT=pretty destination when one is set. */
function withDestination(options: Options): Options | [Options, NonNullable<ReturnType<typeof logDestination>>] {
  const destination = logDestination();
  return destination ? [options, destination] : options;
}
