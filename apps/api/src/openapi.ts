import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBodyDto } from './common/views';

type Operation = {
  responses: Record<string, { description?: string; content?: unknown }>;
  requestBody?: unknown;
  parameters?: { in: string }[];
  security?: unknown[];
  'x-public'?: boolean;
};

const ERRORS: Record<string, string> = {
  '400': 'A field of the request is invalid: the message names it',
  '401': 'No API key, or an unknown one (WWW-Authenticate: Bearer)',
  '403': "The key's role is too low for this endpoint",
  '404': 'No such resource in the namespace of the key',
  '409': 'Not in a state the request applies to: the message says why',
  '413': 'The body or a value is over a limit: the message names it',
  '422': 'Well-formed but not acceptable: the message says why',
  '429': 'Over the rate limit or a buffer cap (Retry-After says when to retry)',
  '503': 'Redis is unreachable or full; retry shortly (Retry-After: 1)',
};

/**
 * The errors every operation may answer, all in the error filter's body ({ statusCode, error, message }):
 * authenticated operations 401/403/429/503, those taking a body or a query 400 and 413; public ones (/health)
 * need no bearer token.
 */
function completeErrors(doc: OpenAPIObject): void {
  const errorBody = { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) } } };
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops as Record<string, Operation>)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      const statuses = op['x-public'] ? [] : ['401', '403', '429', '503'];
      if (op.requestBody) statuses.push('400', '413');
      else if (op.parameters?.some((p) => p.in === 'query')) statuses.push('400');
      for (const s of statuses) op.responses[s] ??= { description: ERRORS[s] };
      if (op['x-public']) op.security = [];
      delete op['x-public'];
      for (const [status, res] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        if (!res.description) res.description = ERRORS[status] ?? 'An error';
        res.content ??= errorBody;
      }
    }
  }
}

/** The OpenAPI document of the api, as /docs serves it (and `npm run lint:openapi` lints it). */
export function openApiDocument(app: INestApplication, serverUrl = '/'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Yieldflow')
    .setDescription(
      'Durable coroutine tasks on Redis: code-first coroutines and Serverless Workflow DSL 1.0.3 definitions',
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer(serverUrl, serverUrl === '/' ? 'This api (the host serving this document)' : 'This api')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An API key (npm run keys -- create ...) or ADMIN_KEY' },
      'bearer',
    )
    .addSecurityRequirements('bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] });
  completeErrors(doc);
  return doc;
}
