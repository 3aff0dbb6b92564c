import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '@yieldflow/contracts';
import type { TaskStore } from '@yieldflow/store';
import { eventually } from './redis';
import { keysOf, redisOf } from '../../libs/store/src/testing';

const root = join(__dirname, '..', '..');

/** Run a built worker (or api) as a real process, so a test can kill -9 it. `npm test` builds first. */
export function spawnApp(
  which: 'worker' | 'api',
  config: Config,
  env: NodeJS.ProcessEnv = {},
): ChildProcess & { output: string[] } {
  return spawnScript(join(root, 'dist', 'apps', which, 'src', 'main.js'), config, env);
}

/** Run a node script (e.g. test/support/steps-worker.js) with the configuration in its environment. */
export function spawnScript(
  script: string,
  config: Config,
  env: NodeJS.ProcessEnv = {},
): ChildProcess & { output: string[] } {
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      REDIS_URL: config.redisUrl,
      YF_PREFIX: config.prefix,
      PARTITIONS: String(config.partitions),
      HTTP_ALLOW: config.httpAllow.join(','),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout!.on('data', (d: Buffer) => child.output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => child.output.push(d.toString()));
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Each partition's owner token ("<workerId>:<random>"), or null, by partition number. */
export function partitionOwners(store: TaskStore): Promise<(string | null)[]> {
  return Promise.all(
    [...Array(store.partitions).keys()].map((p) => redisOf(store).get(`${keysOf(store).partition(p)}own`)),
  );
}

/**
 * Wait until every partition has an owner and each of `workerIds` holds at least one; with `balanced`,
 * until none holds more than its fair share (the hand-over of the excess, a heartbeat or two, is done).
 */
export async function untilPartitionsHeldBy(
  store: TaskStore,
  workerIds: string[],
  timeoutMs = 15_000,
  opts: { balanced?: boolean } = {},
): Promise<void> {
  const fair = Math.ceil(store.partitions / workerIds.length);
  await eventually(
    async () => {
      const owners = await partitionOwners(store);
      const holders = owners.map((o) => o?.split(':')[0]);
      const held = (w: string) => holders.filter((h) => h === w).length;
      if (owners.includes(null) || !workerIds.every((w) => held(w) > 0)) return undefined;
      return !opts.balanced || workerIds.every((w) => held(w) <= fair) ? true : undefined;
    },
    timeoutMs,
    100,
  );
}
