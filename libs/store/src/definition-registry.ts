import { ConflictError } from './errors';
import { internalsOf } from './internal';
import type { TaskStore } from './task-store';

export interface DefinitionVersion {
  /** The DSL's document.namespace (within the owning tenant). */
  namespace: string;
  name: string;
  version: string;
  hash: string;
  createdAt: string;
}

/** Compare dotted versions numerically where they are numbers (1.10.0 > 1.9.0), else as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Registered workflow definitions of each tenant: namespace/name/version → content hash (the text itself
 * is stored once by hash). Versions are immutable: the same version with other content is a conflict.
 */
export class DefinitionRegistry {
  constructor(private readonly store: TaskStore) {}

  private get redis() {
    return internalsOf(this.store).redis;
  }

  private get keys() {
    return internalsOf(this.store).keys;
  }

  private key(tenant: string, namespace: string, name: string): string {
    return this.keys.definitions(tenant, namespace, name);
  }
  private names(tenant: string): string {
    return this.keys.definitionNames(tenant);
  }

  /** Returns true when created, false when the same content was already registered under that version. */
  async register(
    tenant: string,
    namespace: string,
    name: string,
    version: string,
    hash: string,
    text: string,
  ): Promise<boolean> {
    await this.store.putDefinition(hash, text);
    const value = JSON.stringify({ hash, createdAt: Date.now() });
    const created = await this.redis.hsetnx(this.key(tenant, namespace, name), version, value);
    if (created === 1) {
      await this.redis.zadd(this.names(tenant), 0, `${namespace}/${name}`);
      return true;
    }
    const existing = JSON.parse((await this.redis.hget(this.key(tenant, namespace, name), version)) ?? '{}') as {
      hash?: string;
    };
    if (existing.hash !== hash) {
      throw new ConflictError(
        `workflow ${namespace}/${name} version ${version} is already registered with other content; versions are immutable, register a new version`,
      );
    }
    return false;
  }

  async versions(tenant: string, namespace: string, name: string): Promise<DefinitionVersion[]> {
    const h = await this.redis.hgetall(this.key(tenant, namespace, name));
    return Object.entries(h)
      .map(([version, v]) => {
        const { hash, createdAt } = JSON.parse(v) as { hash: string; createdAt: number };
        return { namespace, name, version, hash, createdAt: new Date(createdAt).toISOString() };
      })
      .sort((a, b) => compareVersions(b.version, a.version));
  }

  /** The named version, or the latest when none is named. */
  async resolve(tenant: string, namespace: string, name: string, version?: string): Promise<DefinitionVersion | null> {
    const all = await this.versions(tenant, namespace, name);
    if (!version) return all[0] ?? null;
    return all.find((v) => v.version === version) ?? null;
  }

  async list(tenant: string): Promise<{ namespace: string; name: string; latest: string; versions: string[] }[]> {
    const names = await this.redis.zrange(this.names(tenant), 0, -1);
    const out = [];
    for (const full of names) {
      const [namespace, name] = full.split('/');
      const versions = (await this.versions(tenant, namespace, name)).map((v) => v.version);
      if (versions.length) out.push({ namespace, name, latest: versions[0], versions });
    }
    return out;
  }
}
