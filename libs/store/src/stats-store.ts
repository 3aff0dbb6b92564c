import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** Lateness histogram buckets, ms (Prometheus `le`), of resumes and of schedule fires; past the last: +Inf. */
export const LATENESS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** The bucket a lateness falls in: an index of LATENESS_BUCKETS, or its length for +Inf. */
export function bucketOf(lateMs: number): number {
  let i = 0;
  while (i < LATENESS_BUCKETS.length && lateMs > LATENESS_BUCKETS[i]) i++;
  return i;
}

const field = (kind: 'late' | 'fire', i: number): string =>
  `${kind}_${i < LATENESS_BUCKETS.length ? LATENESS_BUCKETS[i] : 'inf'}`;

/** Counts added in one flush: `buckets` has one count per bucket and one for +Inf. */
export interface ResumeCounts {
  resumes: number;
  count: number;
  sum: number;
  buckets: number[];
}

export interface Histogram {
  /** Per bucket (not cumulative), the last one +Inf. */
  buckets: number[];
  count: number;
  sumMs: number;
}

export interface Stats {
  resumes: number;
  resumeLateness: Histogram;
  fireLateness: Histogram;
}

/**
 * The deployment's resume counters and lateness histograms (`<prefix>:stats`, one hash): every worker adds
 * what it counted; /metrics and /v1/overview read them. Fields: resumes, late_count, late_sum,
 * late_<le>|late_inf, and fire_count, fire_sum, fire_<le>|fire_inf (schedule fires).
 */
export class StatsStore {
  constructor(private readonly store: TaskStore) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get key() {
    return internalsOf(this.store).keys.stats;
  }

  async addResumes(c: ResumeCounts): Promise<void> {
    if (c.resumes === 0) return;
    const pipeline = this.redis.pipeline();
    pipeline.hincrby(this.key, 'resumes', c.resumes);
    pipeline.hincrby(this.key, 'late_count', c.count);
    pipeline.hincrbyfloat(this.key, 'late_sum', c.sum);
    c.buckets.forEach((n, i) => {
      if (n) pipeline.hincrby(this.key, field('late', i), n);
    });
    await pipeline.exec();
  }

  /** Count one schedule fire started `lateMs` after its fire time. */
  async addFireLateness(lateMs: number): Promise<void> {
    const late = Math.max(0, lateMs);
    await this.redis
      .pipeline()
      .hincrby(this.key, 'fire_count', 1)
      .hincrbyfloat(this.key, 'fire_sum', late)
      .hincrby(this.key, field('fire', bucketOf(late)), 1)
      .exec();
  }

  async read(): Promise<Stats> {
    const s = await this.redis.hgetall(this.key);
    const n = (f: string): number => Number(s[f] ?? 0);
    const histogram = (kind: 'late' | 'fire'): Histogram => ({
      buckets: Array.from({ length: LATENESS_BUCKETS.length + 1 }, (_, i) => n(field(kind, i))),
      count: n(`${kind}_count`),
      sumMs: n(`${kind}_sum`),
    });
    return { resumes: n('resumes'), resumeLateness: histogram('late'), fireLateness: histogram('fire') };
  }
}
