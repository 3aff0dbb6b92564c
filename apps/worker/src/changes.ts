import { SCHEDULE_COROUTINE } from '@yieldflow/contracts';
import type { Channels, ClaimedTask, WritebackOp } from '@yieldflow/store';

const STATUS: Record<WritebackOp['o'], string> = { s: 'suspended', c: 'completed', f: 'faulted', x: 'cancelled' };

/**
 * Tells the api's stream clients what a write-back changed: one PUBLISH per write-back call on
 * `<prefix>:changes`, `{ ns: { <namespace>: [[id, status, step], ...] }, kind }` (the api's ChangeFeed reads
 * it). Only while someone subscribes to the channel (checked every heartbeat with PUBSUB NUMSUB): with no
 * dashboard open it costs nothing per write-back.
 */
export class ChangePublisher {
  private listened = false;

  constructor(private readonly channels: Channels) {}

  async check(): Promise<void> {
    this.listened = (await this.channels.subscribers('changes')) > 0;
  }

  /** After a write-back: `applied[i]` is the script's answer for `steps[i]` (0 skipped, 3 faulted over a budget). */
  published(steps: { task: ClaimedTask; res: { op: WritebackOp } }[], applied: number[]): void {
    if (!this.listened) return;
    const ns: Record<string, [string, string, number][]> = {};
    let fires = false;
    steps.forEach(({ task, res }, i) => {
      if (!applied[i]) return;
      const status = applied[i] === 3 ? 'faulted' : STATUS[res.op.o];
      (ns[task.namespace] ??= []).push([task.id, status, res.op.seq + 1]);
      if (task.name === SCHEDULE_COROUTINE) fires = true;
    });
    if (Object.keys(ns).length === 0) return;
    this.channels.publish('changes', JSON.stringify({ ns, kind: fires ? 'fire' : 'tasks' })).catch(() => undefined);
  }
}
