import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnSignals, loadConfig } from '@yieldflow/contracts';
import { WorkerModule } from './worker.module';

/** A worker process: the dispatcher, no HTTP. Run as many as you like against one Redis. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  exitOnSignals(() => app.close());
}

main().catch((err: Error) => {
  console.error(`yieldflow worker: ${err.message}`);
  process.exit(1);
});
