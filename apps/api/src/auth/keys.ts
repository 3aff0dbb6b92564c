import { Body, Controller, Delete, Get, HttpCode, Injectable, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { NotFoundError } from '@yieldflow/store';
import { ForbiddenError } from './errors';
import { type ApiKey, KeyStore, NAMESPACE_PATTERN } from './key-store';
import { CurrentPrincipal, type Principal } from './principal';
import { type Role, ROLES, Roles, SYSTEM_NAMESPACE } from './roles';
import { ApiExamples, EXAMPLES } from '../common/examples';

export class CreateKeyDto {
  @ApiPropertyOptional({ example: 'acme', description: "The key's namespace; the caller's own when omitted" })
  @IsOptional()
  @Matches(NAMESPACE_PATTERN, {
    message: 'namespace must be 1-63 lowercase letters, digits, - or _, starting with a letter or digit',
  })
  @IsString()
  namespace?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;

  @ApiProperty({ example: 'ci' })
  @MinLength(1)
  @MaxLength(100)
  @IsString()
  name!: string;
}

/**
 * Key management. An admin manages the keys of its own namespace; an admin of namespace 'system' (and
 * ADMIN_KEY) those of every namespace. Another namespace's key is "not found" to a namespace admin.
 */
@Injectable()
export class KeysService {
  constructor(private readonly keys: KeyStore) {}

  create(who: Principal, body: CreateKeyDto): Promise<ApiKey & { token: string }> {
    const namespace = body.namespace ?? who.namespace;
    if (namespace !== who.namespace && !who.superAdmin) {
      throw new ForbiddenError(`an admin of namespace '${who.namespace}' creates keys of that namespace only`);
    }
    if (namespace === SYSTEM_NAMESPACE && !who.superAdmin)
      throw new ForbiddenError(`keys of namespace '${SYSTEM_NAMESPACE}' are created by its admins only`);
    return this.keys.create(namespace, body.role, body.name);
  }

  list(who: Principal): Promise<ApiKey[]> {
    return this.keys.list(who.superAdmin ? undefined : who.namespace);
  }

  async revoke(who: Principal, id: string): Promise<{ id: string; revoked: true }> {
    const key = await this.keys.get(id);
    if (!key || (!who.superAdmin && key.namespace !== who.namespace)) throw new NotFoundError(`key ${id}`);
    await this.keys.revoke(id);
    return { id, revoked: true };
  }
}

export class ApiKeyDto implements ApiKey {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'acme' }) namespace!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ example: 'ci' }) name!: string;
  @ApiProperty({ example: 'yf_Ab12', description: "The token's first characters" }) hint!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The bearer token: shown in this answer only' }) token!: string;
}

export class RevokedKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: [true] }) revoked!: true;
}

@ApiTags('keys')
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key: the token is in this answer only' })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiExamples(CreateKeyDto, EXAMPLES.key)
  create(@CurrentPrincipal() who: Principal, @Body() body: CreateKeyDto): Promise<ApiKey & { token: string }> {
    return this.keys.create(who, body);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The namespace's keys (every namespace's for a 'system' admin), without tokens" })
  @ApiOkResponse({ type: [ApiKeyDto] })
  list(@CurrentPrincipal() who: Principal): Promise<ApiKey[]> {
    return this.keys.list(who);
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke a key: it stops working at once' })
  @ApiOkResponse({ type: RevokedKeyDto })
  @ApiNotFoundResponse()
  revoke(@CurrentPrincipal() who: Principal, @Param('id') id: string): Promise<{ id: string; revoked: true }> {
    return this.keys.revoke(who, id);
  }
}
