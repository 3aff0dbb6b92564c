import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';
import { assemble } from './lua-assembler';

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

function part(name: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  const file = join(luaDir(), 'parts', `${name}.lua`);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const cache = new Map<string, string>();
/** A script as Redis runs it: lua/<file>.lua with its parts included and the wire names replaced (lua-assembler.ts). */
export function scriptSource(file: string): string {
  let lua = cache.get(file);
  if (!lua) {
    lua = assemble(file, readFileSync(join(luaDir(), `${file}.lua`), 'utf8'), part);
    cache.set(file, lua);
  }
  return lua;
}

function source(name: string): string {
  return scriptSource(`${name}-1`);
}

/** Every script of lua/, assembled, by file name (what the bench fingerprints, what the tests check). */
export function scriptSources(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(luaDir()).sort()) if (f.endsWith('.lua')) out.set(f, scriptSource(f.slice(0, -4)));
  return out;
}

export function withScripts(redis: Redis): ScriptedRedis {
  for (const name of SCRIPTS) {
    if (!(`yf_${name}` in redis)) redis.defineCommand(`yf_${name}`, { numberOfKeys: 1, lua: source(name) });
  }
  return redis as ScriptedRedis;
}
