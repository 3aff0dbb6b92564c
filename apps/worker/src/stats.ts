import { bucketOf, LATENESS_BUCKETS, type StatsStore } from '@yieldflow/store';

export { LATENESS_BUCKETS };

/** Counts resumes and their lateness in memory; flushed to the deployment's stats (StatsStore) that /metrics reads. */
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
    this.buckets[bucketOf(late)]++;
  }

  async flush(stats: StatsStore): Promise<void> {
    if (this.resumes === 0) return;
    const counts = { resumes: this.resumes, count: this.count, sum: this.sum, buckets: [...this.buckets] };
    this.resumes = this.count = this.sum = 0;
    this.buckets.fill(0);
    await stats.addResumes(counts);
  }
}
