import * as path from 'node:path';
import { REDIS_URL } from '../support/redis';

// the built bench: it spawns the built worker (dist/apps/worker/src/main.js of this worktree; npm run build first)
const { runSoak } = require(
  path.join(__dirname, '..', '..', 'dist', 'bench', 'soak.js'),
) as typeof import('../../bench/soak');

/** The bench's soak at a tiny size: memory grows with the tasks held, and retention takes it back to its baseline. */
describe('bench soak', () => {
  it('pushes tasks through with a short retention and ends at its baseline', async () => {
    const r = await runSoak({
      redisUrl: REDIS_URL,
      tasks: 400,
      retentionMs: 500,
      workers: 1,
      partitions: 4,
      timeoutMs: 90_000,
      wave: 100,
      waveMs: 100,
    });
    expect(r.baseline.tasksHeld).toBe(0);
    expect(r.peak.tasksHeld).toBeGreaterThan(0);
    // every task held costs hundreds of bytes; none is left after retention
    expect(r.peak.bytes - r.baseline.bytes).toBeGreaterThan(r.peak.tasksHeld * 300);
    expect(r.after.tasksHeld).toBe(0);
    expect(r.after.bytes - r.baseline.bytes).toBeLessThan(2048);
    expect(
      Object.keys(r.leftovers).filter(
        (k) => !['cnt', 'own', 'meta', 'stats', 'workers', 'st', 'coroutines', 'gw'].includes(k),
      ),
    ).toEqual([]);
    expect(r.allRemovedMs).toBeGreaterThanOrEqual(r.allDoneMs);
  }, 120_000);
});
