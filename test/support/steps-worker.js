/*
 * A worker process for the kill -9 tests of activity() and job() steps (test/steps/crash.test.ts): the
 * built worker (dist/, `npm run build`) with two test coroutines and one activity. Every run of the
 * activity is counted in Redis (HINCRBY <prefix>:test:activity-runs <task>:<step>) before it returns.
 */
const Redis = require('ioredis');
const { loadConfig, exitOnSignals } = require('../../dist/libs/contracts/src/index.js');
const { CoroutineRegistry, activity, job, sleep } = require('../../dist/libs/runtime/src/index.js');
const { createWorker } = require('../../dist/apps/worker/src/create-worker.js');

async function main() {
  const config = loadConfig();
  const counter = new Redis(config.redisUrl);
  const registry = new CoroutineRegistry()
    .register('t.activities', function* (input) {
      const out = [];
      for (let i = 0; i < 3; i++) {
        yield sleep(input.ms);
        out.push(yield activity('count', { i }));
      }
      return out;
    })
    .register('t.jobs', function* (input) {
      const out = [];
      for (let i = 0; i < 2; i++) {
        out.push(yield job(input.queue, 'work', { i }));
        yield sleep(input.ms);
      }
      return out;
    });
  const worker = await createWorker(config, {
    workerId: process.env.WORKER_ID,
    registry,
    activities: {
      async count(args, ctx) {
        await counter.hincrby(`${config.prefix}:test:activity-runs`, `${ctx.taskId}:${ctx.step}`, 1);
        await new Promise((r) => setTimeout(r, 100)); // performed, not yet journaled
        return ctx.step;
      },
    },
  });
  exitOnSignals(() => worker.close());
}

main().catch((err) => {
  console.error(`steps worker: ${err.message}`);
  process.exit(1);
});
