import type { FireRecord } from '@yieldflow/contracts';
import { eventually } from '../support/redis';
import type { Stack } from '../support/stack';

/** A workflow that ends at once. */
export const quick = {
  document: { dsl: '1.0.3', namespace: 'sch', name: 'quick', version: '1.0.0' },
  do: [{ one: { set: { ok: true } } }],
};
/** A workflow that faults. */
export const failing = {
  document: { dsl: '1.0.3', namespace: 'sch', name: 'failing', version: '1.0.0' },
  do: [{ boom: { raise: { error: { type: 'https://example.com/boom', status: 500, title: 'Boom' } } } }],
};

export type Fire = FireRecord;

/** The schedule's fire records, oldest first. */
export async function fires(s: Stack, id: string): Promise<Fire[]> {
  const res = await s.http.get(`/v1/schedules/${id}/fires?limit=1000`).expect(200);
  return (res.body.items as Fire[]).reverse();
}

/** Wait until the schedule has at least `n` fire records matching `pred`. */
export function untilFires(
  s: Stack,
  id: string,
  n: number,
  pred: (f: Fire) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<Fire[]> {
  return eventually(
    async () => {
      const all = await fires(s, id);
      return all.filter(pred).length >= n ? all : undefined;
    },
    timeoutMs,
    100,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
