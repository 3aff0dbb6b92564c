/**
 * Label values from untrusted names (coroutines, definitions, namespaces, hosts), bounded: the first
 * `max` distinct values are kept (cut to 100 characters), every later one is counted as 'other', so a
 * submitter cannot grow a Prometheus series set without end.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  value(raw: string): string {
    const v = raw.length > 100 ? raw.slice(0, 100) : raw;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}
