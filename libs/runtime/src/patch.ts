/**
 * `patched(changeId)`: branch a coroutine on a change of its code, for tasks already running (Temporal's
 * patched()). A task that reaches the call for the first time while running live (a new task, or an old
 * one past the last step it ran before the change) takes the new path: true. A task whose journal is being
 * replayed over the call reached that point under the old code, which had no such call: false, the old path.
 * The decision is kept with the task (the `pt` field, written with the step that made it), so every later
 * replay and every later call with the same id answers the same.
 *
 *   if (patched('ship-via-api')) yield http({ ... }); else yield sleep(1000);
 *
 * Once no task started before the change runs any more, the old branch can go; the call itself can go once
 * no task that reached it runs either.
 */
export interface PatchDecider {
  patched(changeId: string): boolean;
}

let current: PatchDecider | null = null;

/** Run `step` with `decider` as the execution patched() asks (the coroutine's code runs inside it, synchronously). */
export function withPatchDecider<T>(decider: PatchDecider, step: () => T): T {
  const previous = current;
  current = decider;
  try {
    return step();
  } finally {
    current = previous;
  }
}

const CHANGE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function checkChangeId(changeId: unknown): asserts changeId is string {
  if (typeof changeId !== 'string' || !CHANGE_ID.test(changeId)) {
    throw new TypeError(
      `patched(changeId): changeId must be 1-128 letters, digits, '.', '_', ':' or '-', got ${JSON.stringify(changeId)}`,
    );
  }
}

/** True on the new path (see above); only inside a running coroutine, between its yields. */
export function patched(changeId: string): boolean {
  checkChangeId(changeId);
  if (!current)
    throw new Error(
      `patched('${changeId}') was called outside a running coroutine: call it from the coroutine's own code`,
    );
  return current.patched(changeId);
}
