import { Body, Controller, Get, Inject, Injectable, Param, Post, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ANY_JSON_PROPERTY } from '../common/views';
import { EXAMPLES } from '../common/examples';
import type { Response } from 'express';
import { DefinitionRegistry, type DefinitionVersion, NotFoundError, TaskStore } from '@yieldflow/store';
import { Roles } from '../auth/roles';
import type { Config } from '@yieldflow/contracts';
import { InvalidInputError } from '../common/errors';
import { CONFIG } from '../common/tokens';
import { acceptDefinition } from '../tasks/wait-limits';
import { Namespace } from '../common/namespace';
import { DefinitionSchedules } from '../schedules/definition-schedule';

@Injectable()
export class DefinitionsService {
  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly store: TaskStore,
    @Inject(CONFIG) private readonly config: Config,
    private readonly schedules: DefinitionSchedules,
  ) {}

  async register(tenant: string, body: unknown): Promise<{ version: DefinitionVersion; created: boolean }> {
    if (
      body === undefined ||
      body === null ||
      (typeof body !== 'string' && typeof body !== 'object') ||
      Array.isArray(body)
    ) {
      throw new InvalidInputError(
        'the body must be a workflow document, as JSON or as YAML text (Content-Type: application/yaml)',
      );
    }
    if (typeof body === 'object' && Object.keys(body).length === 0)
      throw new InvalidInputError('the body is empty: send a workflow document');
    const { doc, text, hash } = acceptDefinition(body as string | object, this.config.limits.maxSleepMs);
    const { namespace, name, version } = doc.document;
    const created = await this.registry.register(tenant, namespace, name, version, hash, text);
    const found = await this.registry.resolve(tenant, namespace, name, version);
    // document.schedule: the latest version's schedule starts it (a new version replaces the schedule)
    if (created)
      await this.schedules.registered(
        tenant,
        doc,
        (await this.registry.resolve(tenant, namespace, name))?.version === version,
      );
    return { version: found!, created };
  }

  async document(
    tenant: string,
    namespace: string,
    name: string,
    version: string,
  ): Promise<DefinitionVersion & { definition: unknown }> {
    const found = await this.registry.resolve(tenant, namespace, name, version);
    if (!found) throw new NotFoundError(`workflow ${namespace}/${name} version ${version}`);
    const text = await this.store.getDefinition(found.hash);
    return { ...found, definition: text ? JSON.parse(text) : null };
  }

  async versions(tenant: string, namespace: string, name: string): Promise<DefinitionVersion[]> {
    const all = await this.registry.versions(tenant, namespace, name);
    if (all.length === 0) throw new NotFoundError(`workflow ${namespace}/${name}`);
    return all;
  }
}

export class DefinitionVersionDto implements DefinitionVersion {
  @ApiProperty({ example: 'default', description: "The DSL's document.namespace" }) namespace!: string;
  @ApiProperty({ example: 'order-shipping' }) name!: string;
  @ApiProperty({ example: '1.0.0' }) version!: string;
  @ApiProperty({ description: "The content hash of the definition's canonical text" }) hash!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class DefinitionDocumentDto extends DefinitionVersionDto {
  @ApiProperty({ description: 'The workflow document', ...ANY_JSON_PROPERTY }) definition!: unknown;
}

export class DefinitionSummaryDto {
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The newest version' }) latest!: string;
  @ApiProperty({ type: [String], description: 'Newest first' }) versions!: string[];
}

@ApiTags('definitions')
@Controller('v1/definitions')
export class DefinitionsController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly registry: DefinitionRegistry,
  ) {}

  @Post()
  @Roles('submitter')
  @ApiOperation({
    summary: 'Register a workflow definition (validated against the DSL 1.0.3 schema); versions are immutable',
  })
  @ApiConsumes('application/json', 'application/yaml')
  @ApiBody({ description: 'A Serverless Workflow document', schema: { type: 'object' }, examples: EXAMPLES.definition })
  @ApiCreatedResponse({ description: 'The version, registered', type: DefinitionVersionDto })
  @ApiOkResponse({
    description: 'The same document was registered before under that version',
    type: DefinitionVersionDto,
  })
  @ApiConflictResponse({ description: 'That version is registered with another document (versions are immutable)' })
  async register(
    @Namespace() ns: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DefinitionVersion> {
    const { version, created } = await this.definitions.register(ns, body);
    res.status(created ? 201 : 200);
    return version;
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Registered workflows, with their versions' })
  @ApiOkResponse({ type: [DefinitionSummaryDto] })
  list(@Namespace() ns: string) {
    return this.registry.list(ns);
  }

  @Get(':namespace/:name')
  @Roles('viewer')
  @ApiOperation({ summary: "A workflow's versions, newest first" })
  @ApiOkResponse({ type: [DefinitionVersionDto] })
  @ApiNotFoundResponse()
  versions(
    @Namespace() ns: string,
    @Param('namespace') namespace: string,
    @Param('name') name: string,
  ): Promise<DefinitionVersion[]> {
    return this.definitions.versions(ns, namespace, name);
  }

  @Get(':namespace/:name/:version')
  @Roles('viewer')
  @ApiOperation({ summary: 'One version, with its document' })
  @ApiOkResponse({ type: DefinitionDocumentDto })
  @ApiNotFoundResponse()
  get(
    @Namespace() ns: string,
    @Param('namespace') namespace: string,
    @Param('name') name: string,
    @Param('version') version: string,
  ) {
    return this.definitions.document(ns, namespace, name, version);
  }
}
