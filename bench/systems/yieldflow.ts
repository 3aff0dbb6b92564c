/**
 * The system under test. Not wired yet: Yieldflow's programmatic entry points (libs/store,
 * apps/worker) do not exist yet. See bench/README.md, "Plugging a system in", for what `run`
 * must do; until then the runner prints this error in Yieldflow's row and goes on.
 */
import type { Result, RunOptions, System } from '../types';

export const yieldflow: System = {
  name: 'yieldflow',
  async run(_opts: RunOptions): Promise<Result> {
    throw new Error('not wired yet');
  },
};
