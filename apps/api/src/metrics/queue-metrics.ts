import { Gauge, type Registry } from 'prom-client';
import type { QueueDepths } from '@yieldflow/store';

/**
 * Queue depths, read from Redis at each scrape: `yieldflow_tasks_due_now` (ready to run: due, or in a
 * priority queue) and `yieldflow_tasks_waiting_for_slot` (in line for a concurrency slot).
 */
export function registerQueueDepths(registry: Registry, depths: QueueDepths): void {
  let last: Promise<{ dueNow: number; waitingForSlot: number }> | null = null;
  // both gauges are collected in one scrape: one read serves them
  const read = () => (last ??= depths.read().finally(() => setTimeout(() => (last = null), 0)));
  new Gauge({
    name: 'yieldflow_tasks_due_now',
    help: 'Tasks ready to run now (due in a due set, or in a priority queue), all partitions',
    registers: [registry],
    async collect() {
      this.set((await read()).dueNow);
    },
  });
  new Gauge({
    name: 'yieldflow_tasks_waiting_for_slot',
    help: 'Tasks in line for a concurrency slot, all limits',
    registers: [registry],
    async collect() {
      this.set((await read()).waitingForSlot);
    },
  });
}
