import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks(); // SIGTERM: the worker finishes what it holds and hands its partitions back
  const port = Number(process.env.PORT ?? 3100);
  await app.listen(port, '127.0.0.1');
  console.log(`example listening on ${port}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
