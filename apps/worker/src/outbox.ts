import type { Json } from '@yieldflow/runtime';
import { childId, type TaskStore } from '@yieldflow/store';
import { isScriptError } from './script-error';

type Item =
  | {
      kind: 'child';
      parent: string;
      pseq: number;
      pidx: number;
      child: string;
      status: string;
      output?: unknown;
      error?: unknown;
    }
  | { kind: 'cancel-children'; parent: string; seq: number; count: number; terminate?: boolean }
  | { kind: 'close'; id: string }
  | { kind: 'release'; slot: string; id: string };

function childResult(item: Extract<Item, { kind: 'child' }>): Json {
  const result: Record<string, Json> = { id: item.child, status: item.status };
  if (item.status === 'faulted') result.error = (item.error ?? null) as Json;
  else result.output = (item.output ?? null) as Json;
  return result;
}

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
      // children's ends, the bulk of a wide fork's outbox, go in one round trip per run of them
      let children: { raw: string; item: Extract<Item, { kind: 'child' }> }[] = [];
      const flush = async (): Promise<void> => {
        const run = children;
        children = [];
        const results = await this.store.deliverChildren(
          run.map(({ item }) => ({ parent: item.parent, seq: item.pseq, index: item.pidx, result: childResult(item) })),
        );
        for (let i = 0; i < run.length; i++) {
          const r = results[i];
          if (r instanceof Error) await this.setAside(partition, run[i].raw, r);
          else if (r.code === 2)
            await this.cancelChildren(run[i].item.parent, run[i].item.pseq, r.children, run[i].item.pidx);
        }
      };
      for (const raw of items) {
        let item: Item;
        try {
          item = JSON.parse(raw) as Item;
        } catch (err) {
          await this.setAside(partition, raw, err);
          continue;
        }
        if (item.kind === 'child') {
          children.push({ raw, item });
          continue;
        }
        await flush();
        try {
          await this.apply(item);
        } catch (err) {
          await this.setAside(partition, raw, err);
        }
      }
      await flush();
      const acked = await this.store.ackOutbox(partition, token, items);
      if (acked === -2 || (acked === 1 && items.length < max)) return;
    }
  }

  /**
   * An item a script refuses every time (or that is not JSON) must not block every item behind it: it is
   * set aside, kept in the partition's dead-letter list with the reason, and reported. Any other error
   * (Redis unreachable) is thrown: the partition is given up and the item applied by its next owner.
   */
  private async setAside(partition: number, raw: string, err: unknown): Promise<void> {
    if (!isScriptError(err) && !(err instanceof SyntaxError)) throw err;
    this.onDeadLetter(partition, raw, (err as Error).message);
    await this.store.deadLetter(partition, raw, (err as Error).message);
  }

  private async apply(item: Exclude<Item, { kind: 'child' }>): Promise<void> {
    if (item.kind === 'release') {
      await this.store.releaseSlot(item.slot, item.id);
    } else if (item.kind === 'close') {
      await this.onClose(item.id);
    } else {
      await this.cancelChildren(item.parent, item.seq, item.count, undefined, item.terminate);
    }
  }

  /** Children end with their parent: cancelled (closed), or terminated with a terminated parent. */
  private async cancelChildren(
    parent: string,
    seq: number,
    count: number,
    except?: number,
    terminate = false,
  ): Promise<void> {
    for (let i = 0; i < count; i++) {
      if (i === except) continue;
      await this.store.cancel(null, childId(parent, seq, i), Date.now(), terminate).catch(() => undefined);
    }
  }
}
