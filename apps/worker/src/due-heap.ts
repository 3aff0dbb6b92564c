/** A binary min-heap of (due time, task id): the steps run ahead of time, earliest first. */
export class DueHeap {
  private readonly dues: number[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.dues.length;
  }

  push(due: number, id: string): void {
    let i = this.dues.length;
    this.dues.push(due);
    this.ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.dues[parent] <= due) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The earliest due time, or Infinity. */
  peek(): number {
    return this.dues.length ? this.dues[0] : Infinity;
  }

  pop(): { due: number; id: string } | undefined {
    const n = this.dues.length;
    if (n === 0) return undefined;
    const top = { due: this.dues[0], id: this.ids[0] };
    this.swap(0, n - 1);
    this.dues.pop();
    this.ids.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.dues.length && this.dues[l] < this.dues[m]) m = l;
      if (r < this.dues.length && this.dues[r] < this.dues[m]) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.dues[a], this.dues[b]] = [this.dues[b], this.dues[a]];
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
  }
}
