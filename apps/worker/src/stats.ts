import type Redis from 'ioredis';

/** Resume-lateness histogram buckets, ms (Prometheus `le`). */
export const LATENESS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/** Counts resumes and their lateness in memory; flushed to one Redis hash that /metrics reads. */
export class ResumeStats {
  private resumes = 0;
  private readonly buckets = new Array<number>(LATENESS_BUCKETS.length + 1).fill(0);
  private count = 0;
  private sum = 0;

  resumed(lateMs?: number): void {
    this.resumes++;
    if (lateMs === undefined) return;
    const late = Math.max(0, lateMs);
    this.count++;
    this.sum += late;
    let i = 0;
    while (i < LATENESS_BUCKETS.length && late > LATENESS_BUCKETS[i]) i++;
    this.buckets[i]++;
  }

  async flush(redis: Redis, key: string): Promise<void> {
    if (this.resumes === 0) return;
    const pipeline = redis.pipeline();
    pipeline.hincrby(key, 'resumes', this.resumes);
    pipeline.hincrby(key, 'late_count', this.count);
    pipeline.hincrbyfloat(key, 'late_sum', this.sum);
    this.buckets.forEach((n, i) => {
      if (n) pipeline.hincrby(key, `late_${i < LATENESS_BUCKETS.length ? LATENESS_BUCKETS[i] : 'inf'}`, n);
    });
    this.resumes = this.count = this.sum = 0;
    this.buckets.fill(0);
    await pipeline.exec();
  }
}
