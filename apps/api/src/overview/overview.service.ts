import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { LATENESS_BUCKETS, PartitionView, StatsStore, TaskStore, WorkerRegistry } from '@yieldflow/store';
import { REDIS } from '../common/tokens';

/** The workers' lateness buckets, ms; past the last one: +Inf. */
const BUCKETS: readonly number[] = LATENESS_BUCKETS;
const SAMPLE_MS = 2000;
/** Ten minutes of samples. */
const KEEP = 300;

interface Sample {
  t: number;
  resumes: number;
  late: number[];
}

export interface SeriesPoint {
  /** End of the interval, ms since the epoch. */
  t: number;
  resumesPerSec: number;
  /** Resume lateness of the interval's resumes (bucket-interpolated), ms; null when none resumed. */
  p50: number | null;
  p99: number | null;
}

export interface Overview {
  at: string;
  counts: Record<string, number>;
  /** Tasks due now that no worker has taken yet, over every partition. */
  dueNow: number;
  workers: { id: string; lastSeen: string; alive: boolean; partitions: number[] }[];
  /** Partitions no live lease holds. */
  unowned: number[];
  redis: {
    up: boolean;
    pingMs?: number;
    version?: string;
    usedMemory?: number;
    usedMemoryPeak?: number;
    maxMemory?: number;
    fragmentation?: number;
    clients?: number;
    uptimeSec?: number;
    error?: string;
  };
  series: SeriesPoint[];
  totals: { resumes: number; lateCount: number; lateSumMs: number };
}

/** The bucket-interpolated quantile of a lateness histogram (counts per bucket, not cumulative). */
export function quantile(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const want = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] <= 0) continue;
    if (seen + counts[i] >= want) {
      const lo = i === 0 ? 0 : BUCKETS[i - 1];
      const hi = i < BUCKETS.length ? BUCKETS[i] : BUCKETS[BUCKETS.length - 1];
      return Math.round((lo + ((want - seen) / counts[i]) * (hi - lo)) * 10) / 10;
    }
    seen += counts[i];
  }
  return BUCKETS[BUCKETS.length - 1];
}

const info = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\r\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );

/**
 * The dashboard's overview: status counts, workers and the partitions each holds, Redis health and
 * memory, and resumes per second and lateness over the last ten minutes, from samples of the counters
 * the workers flush (StatsStore) taken every 2 s by this api process (kept in memory only).
 */
@Injectable()
export class OverviewService implements OnModuleInit, OnModuleDestroy {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly stats: StatsStore;
  private readonly workers: WorkerRegistry;
  private readonly partitions: PartitionView;

  constructor(
    private readonly store: TaskStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.stats = new StatsStore(store);
    this.workers = new WorkerRegistry(store);
    this.partitions = new PartitionView(store);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sample().catch(() => undefined), SAMPLE_MS);
    this.timer.unref();
    void this.sample().catch(() => undefined);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async sample(): Promise<Sample> {
    const s = await this.stats.read();
    const sample = { t: Date.now(), resumes: s.resumes, late: s.resumeLateness.buckets };
    this.samples.push(sample);
    if (this.samples.length > KEEP) this.samples.shift();
    return sample;
  }

  series(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1];
      const b = this.samples[i];
      const dt = (b.t - a.t) / 1000;
      const d = b.late.map((n, k) => Math.max(0, n - a.late[k]));
      out.push({
        t: b.t,
        resumesPerSec: dt > 0 ? Math.max(0, b.resumes - a.resumes) / dt : 0,
        p50: quantile(d, 0.5),
        p99: quantile(d, 0.99),
      });
    }
    return out;
  }

  async overview(now = Date.now()): Promise<Overview> {
    const partitions = [...Array(this.store.partitions).keys()];
    const [counts, workers, owners, dueNow, stats, redis] = await Promise.all([
      this.store.counts(),
      this.workers.list(now),
      this.partitions.owners(),
      this.partitions.dueNow(now),
      this.stats.read(),
      this.redisHealth(),
    ]);
    const held = new Map<string, number[]>();
    owners.forEach((id, p) => {
      if (id !== null) held.set(id, [...(held.get(id) ?? []), p]);
    });
    const list: Overview['workers'] = workers.map((w) => ({
      id: w.id,
      lastSeen: new Date(w.lastSeen).toISOString(),
      alive: w.alive,
      partitions: held.get(w.id) ?? [],
    }));
    const statuses = ['queued', 'running', 'suspended', 'paused', 'completed', 'faulted', 'cancelled'];
    return {
      at: new Date(now).toISOString(),
      counts: Object.fromEntries(statuses.map((s) => [s, Math.max(0, counts[s] ?? 0)])),
      dueNow,
      workers: list,
      unowned: partitions.filter((p) => !owners[p]),
      redis,
      series: this.series(),
      totals: {
        resumes: stats.resumes,
        lateCount: stats.resumeLateness.count,
        lateSumMs: stats.resumeLateness.sumMs,
      },
    };
  }

  private async redisHealth(): Promise<Overview['redis']> {
    try {
      const started = Date.now();
      await this.redis.ping();
      const pingMs = Date.now() - started;
      const i = info(await this.redis.info());
      return {
        up: true,
        pingMs,
        version: i.redis_version,
        usedMemory: Number(i.used_memory),
        usedMemoryPeak: Number(i.used_memory_peak),
        maxMemory: Number(i.maxmemory),
        fragmentation: Number(i.mem_fragmentation_ratio),
        clients: Number(i.connected_clients),
        uptimeSec: Number(i.uptime_in_seconds),
      };
    } catch (err) {
      return { up: false, error: (err as Error).message };
    }
  }
}
