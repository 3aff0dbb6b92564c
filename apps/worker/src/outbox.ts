import { childId, type TaskStore } from '@yieldflow/store';
import { isScriptError } from './script-error';

type Item =
  | { kind: 'child'; parent: string; pseq: number; pidx: number; child: string; status: string; output?: unknown; error?: unknown }
  | { kind: 'cancel-children'; parent: string; seq: number; count: number; terminate?: boolean }
  | { kind: 'close'; id: string }
  | { kind: 'release'; slot: string; id: string };

/**
 * Work that crosses partitions, written by a transition into its partition's outbox in the same
 * script (so it is never lost) and carried out here by the partition's owner: a child's end delivered
 * to its parent, children cancelled (or terminated) with their parent, an ended task's concurrency slot released, and a cancelled coroutine closed. Every item is
 * idempotent, so a crash between doing and acknowledging one repeats it harmlessly.
 */
export class Outbox {
  /** Closes a cancelled task's coroutine (set by the dispatcher, which holds the executions). */
  onClose: (id: string) => Promise<void> = async () => undefined;
  /** Told of an item set aside because applying it fails every time (set by the dispatcher, which logs). */
  onDeadLetter: (partition: number, item: string, reason: string) => void = () => undefined;

  constructor(private readonly store: TaskStore) {}

  /**
   * Apply a partition's outbox, as long as `token` owns it. Items are read, applied, then removed only if
   * they are still at the head (fenced in Redis), so a drain that overlaps another, or outlives its lease,
   * can repeat an item (harmless: each is idempotent) but never lose one.
   */
  async drain(partition: number, token: string, max = 200): Promise<void> {
    for (;;) {
      const items = await this.store.peekOutbox(partition, token, max);
      if (items === null || items.length === 0) return;
      for (const raw of items) {
        try {
          await this.apply(JSON.parse(raw) as Item);
        } catch (err) {
          // an item a script refuses every time must not block every item behind it: it is set aside,
          // kept in the partition's dead-letter list, and reported
          if (!isScriptError(err) && !(err instanceof SyntaxError)) throw err;
          this.onDeadLetter(partition, raw, (err as Error).message);
          await this.store.deadLetter(partition, raw, (err as Error).message);
        }
      }
      const acked = await this.store.ackOutbox(partition, token, items);
      if (acked === -2 || (acked === 1 && items.length < max)) return;
    }
  }

  private async apply(item: Item): Promise<void> {
    if (item.kind === 'child') {
      const result: Record<string, unknown> = { id: item.child, status: item.status };
      if (item.status === 'faulted') result.error = item.error;
      else result.output = item.output ?? null;
      const { code, children } = await this.store.deliverChild(item.parent, item.pseq, item.pidx, result as never);
      if (code === 2) await this.cancelChildren(item.parent, item.pseq, children, item.pidx);
    } else if (item.kind === 'release') {
      await this.store.releaseSlot(item.slot, item.id);
    } else if (item.kind === 'close') {
      await this.onClose(item.id);
    } else {
      await this.cancelChildren(item.parent, item.seq, item.count, undefined, item.terminate);
    }
  }

  /** Children end with their parent: cancelled (closed), or terminated with a terminated parent. */
  private async cancelChildren(parent: string, seq: number, count: number, except?: number, terminate = false): Promise<void> {
    for (let i = 0; i < count; i++) {
      if (i === except) continue;
      await this.store.cancel(null, childId(parent, seq, i), Date.now(), terminate).catch(() => undefined);
    }
  }
}
