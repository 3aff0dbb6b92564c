import type { Metric, Registry } from 'prom-client';

/** One labelled series of a FastHistogram: plain counters, bumped with no label hashing. */
export class FastSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly buckets: readonly number[],
  ) {
    this.counts = new Array<number>(buckets.length + 1).fill(0);
  }

  observe(v: number): void {
    const b = this.buckets;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/**
 * A histogram for the hot path (every step, every Redis command): callers keep the series they observe
 * into, so an observation is a bucket search and three additions. prom-client's own histogram hashes the
 * labels of every observation, which cost the benchmark's workers about 5% of their CPU. Rendered by the
 * registry like any other histogram (`_bucket` with `le`, `_sum`, `_count`).
 */
export class FastHistogram {
  readonly type = 'histogram';
  private readonly series: FastSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** A new series with these labels (the caller keeps it; asking twice makes two). */
  add(labels: Record<string, string>): FastSeries {
    const s = new FastSeries(labels, this.buckets);
    this.series.push(s);
    return s;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: object[] } {
    const values: object[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      cumulative += s.counts[this.buckets.length];
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: cumulative });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
