import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type Redis from 'ioredis';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TASK_STATUSES } from '@yieldflow/contracts';
import { QueueDepths, TaskStore } from '@yieldflow/store';
import { Roles, SystemOnly } from '../auth/roles';
import { REDIS } from '../common/tokens';
import { registerQueueDepths } from './queue-metrics';

/** Resume-lateness buckets, ms: the same as the workers count them in. */
const BUCKETS = ['1', '2', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000'];

/**
 * Prometheus metrics. Task counts by status come from the store's per-partition counters; resumes and
 * the lateness histogram from the counters every worker flushes to Redis each second, so any api
 * process reports the whole deployment.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();

  constructor(
    private readonly store: TaskStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'yieldflow_api_' });
    registerQueueDepths(this.registry, new QueueDepths(this.redis, this.store.keys));
    const store_ = this.store;
    new Gauge({
      name: 'yieldflow_tasks',
      help: 'Tasks by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await store_.counts();
        for (const s of TASK_STATUSES) this.set({ status: s }, Math.max(0, counts[s] ?? 0));
      },
    });
    new Gauge({
      name: 'yieldflow_workers_alive',
      help: 'Workers that sent a heartbeat in the last 5 s',
      registers: [this.registry],
      async collect() {
        this.set(await store_.aliveWorkers());
      },
    });
  }

  async text(): Promise<string> {
    const stats = await this.redis.hgetall(this.store.keys.stats);
    const lines = [
      '# HELP yieldflow_resumes_total Coroutine steps run by the workers',
      '# TYPE yieldflow_resumes_total counter',
      `yieldflow_resumes_total ${Number(stats.resumes ?? 0)}`,
      '# HELP yieldflow_resume_lateness_ms Resume time minus due time of each suspension, ms',
      '# TYPE yieldflow_resume_lateness_ms histogram',
    ];
    let cumulative = 0;
    for (const b of BUCKETS) {
      cumulative += Number(stats[`late_${b}`] ?? 0);
      lines.push(`yieldflow_resume_lateness_ms_bucket{le="${b}"} ${cumulative}`);
    }
    cumulative += Number(stats.late_inf ?? 0);
    lines.push(`yieldflow_resume_lateness_ms_bucket{le="+Inf"} ${cumulative}`);
    lines.push(`yieldflow_resume_lateness_ms_sum ${Number(stats.late_sum ?? 0)}`);
    lines.push(`yieldflow_resume_lateness_ms_count ${Number(stats.late_count ?? 0)}`);
    lines.push(
      '# HELP yieldflow_schedule_fire_lateness_ms Start of a scheduled task minus its fire time (jitter included), ms',
      '# TYPE yieldflow_schedule_fire_lateness_ms histogram',
    );
    cumulative = 0;
    for (const b of BUCKETS) {
      cumulative += Number(stats[`fire_${b}`] ?? 0);
      lines.push(`yieldflow_schedule_fire_lateness_ms_bucket{le="${b}"} ${cumulative}`);
    }
    cumulative += Number(stats.fire_inf ?? 0);
    lines.push(`yieldflow_schedule_fire_lateness_ms_bucket{le="+Inf"} ${cumulative}`);
    lines.push(`yieldflow_schedule_fire_lateness_ms_sum ${Number(stats.fire_sum ?? 0)}`);
    lines.push(`yieldflow_schedule_fire_lateness_ms_count ${Number(stats.fire_count ?? 0)}`);
    return `${await this.registry.metrics()}${lines.join('\n')}\n`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Roles('viewer')
  @SystemOnly()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: tasks by status, resumes, resume-lateness histogram' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The Prometheus text format', schema: { type: 'string' } })
  get(): Promise<string> {
    return this.metrics.text();
  }
}
