import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { loadJqSyntax } from '@yieldflow/dsl';
import type { Config } from '@yieldflow/contracts';
import type { CoroutineRegistry } from '@yieldflow/runtime';
import { AppModule } from './app.module';
import { ErrorFilter } from './common/error.filter';
import { BodyValidationPipe, VALIDATION_OPTIONS } from './common/validation';
import { FAST_BODIES } from './fast-bodies';
import { jsonVerifier } from './common/json-depth';
import { openApiDocument } from './openapi';
import { securityHeaders } from './common/security-headers';
import { requestLog } from './common/request-log';
import { LOGGER } from './common/tokens';
import { AuthGuard } from './auth/auth.guard';
import { BOARD_ROUTE, BoardQueues, boardMiddleware } from './queues/board';

/** TRUST_PROXY as express takes it: true/false, a hop count, or addresses, CIDRs and names like 'loopback'. */
const trustProxy = (v: string): boolean | number | string =>
  v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v;

/** The api as an application, configured as in production (main.ts listens; tests use it in-process). */
export async function createApp(
  config: Config,
  opts: { logLevel?: string; registry?: CoroutineRegistry } = {},
): Promise<INestApplication> {
  await loadJqSyntax(); // definitions' expressions are compiled with real jq when they arrive
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, opts.logLevel, opts.registry),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(requestLog(app.get(LOGGER), config.slowRequestMs));
  app.use(securityHeaders);
  // the client address failed authentications are counted by (req.ip): behind a proxy, TRUST_PROXY names it
  if (config.trustProxy !== undefined) app.set('trust proxy', trustProxy(config.trustProxy));
  const limit = config.limits.bodyBytes;
  // nesting is bounded before parsing (validation and class-transformer recurse into the body), and free-form
  // fields are kept as sent (see common/as-sent.ts)
  app.useBodyParser('json', { limit, verify: jsonVerifier(config.limits.jsonDepth) });
  app.useBodyParser('text', { limit, type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'] });
  app.useGlobalPipes(
    // submissions, batches and sends: a compiled schema first, the decorators when it says no
    new BodyValidationPipe(VALIDATION_OPTIONS, FAST_BODIES),
  );
  app.useGlobalFilters(new ErrorFilter());
  // Bull Board is a router, not a controller: the same guard is put in front of it
  app.use(BOARD_ROUTE, boardMiddleware(app.get(AuthGuard), app.get(BoardQueues)));
  SwaggerModule.setup('docs', app, () => openApiDocument(app, config.publicUrl));
  return app;
}
