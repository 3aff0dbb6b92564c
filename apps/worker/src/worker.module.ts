import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type Config, describeRedis, loadObservability } from '@yieldflow/contracts';
import { createWorker, type Worker } from './create-worker';
import { createLogger } from './logger';

const WORKER = Symbol('WORKER');

/** Stops the dispatcher on SIGTERM/SIGINT: no new claims, held work finished or handed back, leases released. */
@Injectable()
class WorkerLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('worker');
  constructor(@Inject(WORKER) private readonly worker: Worker) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`stopping (${signal ?? 'shutdown'}): finishing held work and releasing partitions`);
    await this.worker.close();
    this.logger.log('stopped');
  }
}

@Module({})
export class WorkerModule {
  static forRoot(config: Config, logLevel = process.env.LOG_LEVEL ?? 'info'): DynamicModule {
    const logger = new Logger('dispatcher');
    const obs = loadObservability();
    const pinoLogger = createLogger(logLevel, obs.logFormat);
    return {
      module: WorkerModule,
      // the same JSON log lines as the api's (or readable ones, LOG_FORMAT=pretty)
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: pinoLogger } })],
      providers: [
        {
          provide: WORKER,
          useFactory: async () => {
            const worker = await createWorker(config, {
              workerId: process.env.WORKER_ID,
              // the fields (taskId, partition, ...) stay fields of the line
              log: (level, msg, extra) => pinoLogger[level]({ context: 'dispatcher', ...extra }, msg),
              logger: pinoLogger,
              // the OpenTelemetry SDK is loaded only when traces are exported
              tracing: obs.otlpEndpoint
                ? new (await import('./tracing')).Tracing(obs.otlpEndpoint, obs.serviceName)
                : undefined,
              metricsServer:
                obs.metricsPort !== undefined ? { port: obs.metricsPort, host: obs.metricsHost } : undefined,
            });
            logger.log(
              `worker ${worker.dispatcher.workerId} started on ${describeRedis(config)} (prefix ${config.prefix}, ${config.partitions} partitions)` +
                (worker.metricsPort !== undefined
                  ? `; /metrics and /health on ${obs.metricsHost}:${worker.metricsPort}`
                  : ''),
            );
            return worker;
          },
        },
        WorkerLifecycle,
      ],
    };
  }
}
