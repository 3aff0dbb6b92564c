/**
 * The seed's workload: func_a sleeps 1 s three times, func_b sleeps 3 s once. Submitted together
 * they should finish in 3.0 s, for any number of copies.
 */
export const SEED_PLANS = {
  a: [1000, 1000, 1000],
  b: [3000],
} as const;

export type SeedKind = keyof typeof SEED_PLANS;

export const IDEAL_WALL_MS = 3000;

/** Timer resumes per pair: three for func_a, one for func_b. */
export const RESUMES_PER_PAIR = SEED_PLANS.a.length + SEED_PLANS.b.length;

/** func_a as a generator: each yielded value is a sleep in milliseconds. */
export function* funcA(): Generator<number, void, void> {
  for (const ms of SEED_PLANS.a) yield ms;
}

/** func_b as a generator. */
export function* funcB(): Generator<number, void, void> {
  for (const ms of SEED_PLANS.b) yield ms;
}
