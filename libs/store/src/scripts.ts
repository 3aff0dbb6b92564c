import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';

/** The Lua scripts in ../lua, one per atomic transition, named verb-<numKeys>.lua. */
const SCRIPTS = [
  'create',
  'claim',
  'writeback',
  'resolve',
  'send',
  'cancel',
  'event',
  'buffer',
  'own',
  'child',
  'close',
  'descend',
  'outbox',
  'pause',
  'retry',
  'slot',
  'admit',
  'expire',
] as const;
export type ScriptName = (typeof SCRIPTS)[number];

export type ScriptedRedis = Redis & {
  [K in `yf_${ScriptName}`]: (partitionPrefix: string, ...args: (string | number)[]) => Promise<unknown>;
};

/** A pipeline with the scripts queued on it (each call queues, the pipeline's exec() sends them all). */
export type ScriptedPipeline = ChainableCommander & {
  [K in `yf_${ScriptName}`]: (partitionPrefix: string, ...args: (string | number)[]) => ScriptedPipeline;
};

function luaDir(): string {
  // built: dist/libs/store/src -> dist/libs/store/lua (copied by the build); source: libs/store/src -> libs/store/lua
  return join(__dirname, '..', 'lua');
}

const cache = new Map<string, string>();
function source(name: string): string {
  let lua = cache.get(name);
  if (!lua) {
    lua = readFileSync(join(luaDir(), `${name}-1.lua`), 'utf8');
    cache.set(name, lua);
  }
  return lua;
}

export function withScripts(redis: Redis): ScriptedRedis {
  for (const name of SCRIPTS) {
    if (!(`yf_${name}` in redis)) redis.defineCommand(`yf_${name}`, { numberOfKeys: 1, lua: source(name) });
  }
  return redis as ScriptedRedis;
}
