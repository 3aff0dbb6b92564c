import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type Config, describeRedis } from '@yieldflow/contracts';
import { createWorker, type Worker } from './create-worker';

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
    return {
      module: WorkerModule,
      // the same JSON log lines as the api's
      imports: [LoggerModule.forRoot({ pinoHttp: { level: logLevel } })],
      providers: [
        {
          provide: WORKER,
          useFactory: async () => {
            const worker = await createWorker(config, {
              workerId: process.env.WORKER_ID,
              log: (level, msg, extra) =>
                level === 'error' ? logger.error(msg, extra) : level === 'warn' ? logger.warn(msg) : logger.log(msg),
            });
            logger.log(
              `worker ${worker.dispatcher.workerId} started on ${describeRedis(config)} (prefix ${config.prefix}, ${config.partitions} partitions)`,
            );
            return worker;
          },
        },
        WorkerLifecycle,
      ],
    };
  }
}
