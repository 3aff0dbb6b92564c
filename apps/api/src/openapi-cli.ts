#!/usr/bin/env node
// `node dist/apps/api/src/openapi-cli.js <file>`: write the api's OpenAPI document (npm run lint:openapi lints it).
// The application is created in preview mode: its providers are not instantiated, so no Redis is needed.
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '@yieldflow/contracts';
import { AppModule } from './app.module';
import { openApiDocument } from './openapi';

async function main(out: string | undefined): Promise<void> {
  if (!out) throw new Error('usage: openapi-cli.js <output file>');
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config, 'silent'), { preview: true, logger: false });
  writeFileSync(out, JSON.stringify(openApiDocument(app, config.publicUrl), null, 2) + '\n');
  await app.close();
}

main(process.argv[2]).catch((err: Error) => {
  console.error(`openapi: ${err.message}`);
  process.exit(1);
});
