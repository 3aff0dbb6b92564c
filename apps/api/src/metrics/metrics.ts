import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { TASK_STATUSES } from '@yieldflow/contracts';
import { type Histogram, LATENESS_BUCKETS, QueueDepths, StatsStore, TaskStore, WorkerRegistry } from '@yieldflow/store';
import { Roles, SystemOnly } from '../auth/roles';
import { registerQueueDepths } from './queue-metrics';

/** A histogram's Prometheus lines: cumulative buckets (the workers' LATENESS_BUCKETS, then +Inf), sum, count. */
function histogram(name: string, h: Histogram): string[] {
  let cumulative = 0;
  const lines = h.buckets.map((n, i) => {
    cumulative += n;
    return `${name}_bucket{le="${i < LATENESS_BUCKETS.length ? LATENESS_BUCKETS[i] : '+Inf'}"} ${cumulative}`;
  });
  return [...lines, `${name}_sum ${h.sumMs}`, `${name}_count ${h.count}`];
}

/**
 * Prometheus metrics. Task counts by status come from the store's per-partition counters; resumes and
 * the lateness histogram from the counters every worker flushes to Redis each second, so any api
 * process reports the whole deployment.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();
  private readonly stats: StatsStore;

  constructor(private readonly store: TaskStore) {
    this.stats = new StatsStore(store);
    collectDefaultMetrics({ register: this.registry, prefix: 'yieldflow_api_' });
    registerQueueDepths(this.registry, new QueueDepths(this.store));
    const store_ = this.store;
    const workers = new WorkerRegistry(this.store);
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
      help: 'Live workers (a heartbeat within the last two heartbeat intervals)',
      registers: [this.registry],
      async collect() {
        this.set(await workers.live());
      },
    });
  }

  async text(): Promise<string> {
    const stats = await this.stats.read();
    const lines = [
      '# HELP yieldflow_resumes_total Coroutine steps run by the workers',
      '# TYPE yieldflow_resumes_total counter',
      `yieldflow_resumes_total ${stats.resumes}`,
      '# HELP yieldflow_resume_lateness_ms Resume time minus due time of each suspension, ms',
      '# TYPE yieldflow_resume_lateness_ms histogram',
      ...histogram('yieldflow_resume_lateness_ms', stats.resumeLateness),
      '# HELP yieldflow_schedule_fire_lateness_ms Start of a scheduled task minus its fire time (jitter included), ms',
      '# TYPE yieldflow_schedule_fire_lateness_ms histogram',
      ...histogram('yieldflow_schedule_fire_lateness_ms', stats.fireLateness),
    ];
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
