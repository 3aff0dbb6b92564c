import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { TaskStore, WorkerRegistry } from '@yieldflow/store';
import { Public } from '../auth/roles';
import { REDIS } from '../common/tokens';

@Injectable()
export class Indicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: TaskStore,
  ) {}

  async redisUp() {
    const check = this.indicators.check('redis');
    try {
      const started = Date.now();
      await this.redis.ping();
      return check.up({ pingMs: Date.now() - started });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  /** Workers heartbeat every second; one seen in the last 5 s counts as alive. */
  async workersAlive() {
    const check = this.indicators.check('workers');
    try {
      const alive = await new WorkerRegistry(this.store).live();
      return alive > 0 ? check.up({ alive }) : check.down({ alive, message: 'no worker has sent a heartbeat in 5 s' });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: Indicators,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Redis reachable and at least one worker alive (503 otherwise)' })
  check() {
    return this.health.check([() => this.indicators.redisUp(), () => this.indicators.workersAlive()]);
  }

  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the api process answers (restart it if not); depends on nothing else' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the api can take requests, Redis reachable (503 otherwise)' })
  ready() {
    return this.health.check([() => this.indicators.redisUp()]);
  }
}
