import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Config } from '@yieldflow/contracts';
import { type Principal, CurrentPrincipal } from '../auth/principal';
import { Roles, SystemOnly } from '../auth/roles';
import { CONFIG } from '../common/tokens';
import { type Overview, OverviewService } from './overview.service';

@ApiTags('operations')
@Controller('v1')
export class OverviewController {
  constructor(
    private readonly overviews: OverviewService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Get('overview')
  @Roles('viewer')
  @SystemOnly()
  @ApiOkResponse({
    schema: {
      type: 'object',
      description: 'status counts, workers and partitions, Redis, resume rate and lateness samples',
      additionalProperties: true,
    },
  })
  @ApiOperation({
    summary:
      'The whole deployment at a glance: tasks by status, workers and their partitions, Redis health and memory, resumes per second and lateness over the last minutes',
  })
  overview(): Promise<Overview> {
    return this.overviews.overview();
  }

  @Get('whoami')
  @Roles('viewer')
  @ApiOkResponse({
    schema: { type: 'object', description: 'namespace, role, whether keys are required', additionalProperties: true },
  })
  @ApiOperation({
    summary:
      "The caller's namespace and role, and whether keys are required (a client shows only the actions its role may take)",
  })
  whoami(@CurrentPrincipal() p: Principal): { namespace: string; role: string; superAdmin: boolean; auth: boolean } {
    return { namespace: p.namespace, role: p.role, superAdmin: p.superAdmin, auth: this.config.auth.enabled };
  }
}
