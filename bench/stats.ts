/** Percentiles the same way as the reference peers: sorted[min(n - 1, floor(f * n))]. */
export function percentile(sorted: ArrayLike<number>, f: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
}

export interface LatenessSummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): LatenessSummary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** The median of a list of numbers (mean of the two middle ones when the count is even). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
