import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

/** What is kept of an api key: never the token, only its SHA-256 (the Redis key) and its first characters. */
export interface ApiKey<R extends string = string> {
  id: string;
  namespace: string;
  role: R;
  name: string;
  /** The token's first characters, to tell keys apart ("yf_Ab12…"). */
  hint: string;
  createdAt: string;
}

export const TOKEN_PREFIX = 'yf_';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const RATE_LIMIT_LUA = readFileSync(join(__dirname, '..', 'lua', 'ratelimit-1.lua'), 'utf8');

type Limited = { yf_ratelimit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Api keys and request rate limits in Redis:
 *
 *   <prefix>:keys:<sha256(token)>   hash { id, namespace, role, name, hint, createdAt }
 *   <prefix>:keys:id:<id>           the token's hash, to revoke by id
 *   <prefix>:keys:ns:<namespace>    set of the namespace's key ids
 *   <prefix>:keys:namespaces        set of namespaces holding keys
 *   <prefix>:rl:<subject>:<window>  requests of a subject in one fixed window (ratelimit-1.lua)
 *
 * Used by the api (authentication, /v1/keys, rate limits) and by the keys CLI.
 */
export class AuthKeyStore<R extends string = string> {
  constructor(private readonly store: TaskStore) {
    const { redis } = internalsOf(store);
    if (!('yf_ratelimit' in redis)) redis.defineCommand('yf_ratelimit', { numberOfKeys: 1, lua: RATE_LIMIT_LUA });
  }

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private k(rest: string): string {
    return internalsOf(this.store).keys.apiKey(rest);
  }

  /** A new key; the token is returned once and never stored. */
  async create(namespace: string, role: R, name: string): Promise<ApiKey<R> & { token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const key: ApiKey<R> = {
      id: `key_${randomBytes(8).toString('hex')}`,
      namespace,
      role,
      name,
      hint: `${token.slice(0, 7)}…`,
      createdAt: new Date().toISOString(),
    };
    const hash = hashToken(token);
    // the token's record last: on a cluster these keys are in different slots (one transaction each, in
    // this order), so a key is never usable before it can be listed and revoked
    await this.redis
      .multi()
      .sadd(this.k('namespaces'), namespace)
      .sadd(this.k(`ns:${namespace}`), key.id)
      .set(this.k(`id:${key.id}`), hash)
      .hset(this.k(hash), { ...key })
      .exec();
    return { ...key, token };
  }

  /** The key a token stands for, or null (unknown or revoked). */
  async find(token: string): Promise<ApiKey<R> | null> {
    const h = await this.redis.hgetall(this.k(hashToken(token)));
    return h && h.id ? (h as unknown as ApiKey<R>) : null;
  }

  async get(id: string): Promise<ApiKey<R> | null> {
    const hash = await this.redis.get(this.k(`id:${id}`));
    if (!hash) return null;
    const h = await this.redis.hgetall(this.k(hash));
    return h && h.id ? (h as unknown as ApiKey<R>) : null;
  }

  /** Keys of one namespace, or of all of them; oldest first. */
  async list(namespace?: string): Promise<ApiKey<R>[]> {
    const namespaces = namespace !== undefined ? [namespace] : await this.redis.smembers(this.k('namespaces'));
    const ids = (await Promise.all(namespaces.map((ns) => this.redis.smembers(this.k(`ns:${ns}`))))).flat();
    const keys = await Promise.all(ids.map((id) => this.get(id)));
    return keys
      .filter((k): k is ApiKey<R> => k !== null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Revoke a key: its token stops working at once, in every api process. */
  async revoke(id: string): Promise<boolean> {
    const hash = await this.redis.get(this.k(`id:${id}`));
    if (!hash) return false;
    const ns = await this.redis.hget(this.k(hash), 'namespace');
    // the token's record first (on a cluster: one transaction per slot, in this order), so it stops at once
    const m = this.redis
      .multi()
      .del(this.k(hash))
      .del(this.k(`id:${id}`));
    if (ns) m.srem(this.k(`ns:${ns}`), id);
    await m.exec();
    return true;
  }

  /** Count one request of `subject` in the current fixed window of `windowMs`: the count and the window's remaining ms. */
  async countRequest(subject: string, windowMs: number, now = Date.now()): Promise<[number, number]> {
    const key = internalsOf(this.store).keys.rateLimit(subject, Math.floor(now / windowMs));
    return (this.redis as unknown as Limited).yf_ratelimit(key, windowMs);
  }
}
