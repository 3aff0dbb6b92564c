import Redis, { type ChainableCommander, Cluster, type ClusterOptions, Command, type RedisOptions } from 'ioredis';
import type { RedisCluster } from '@yieldflow/contracts';
import { slotOf } from './keys';

/** Where the store is: one Redis (`redisUrl`), or a cluster when `redisCluster` is set. */
export interface RedisTarget {
  redisUrl: string;
  redisCluster?: RedisCluster;
}

export interface ConnectOptions {
  /** A pub/sub connection (the wake and notify channels). */
  subscriber?: boolean;
  /** Commands fail at once while the store is unreachable (the api answers 503) instead of queueing. */
  failFast?: boolean;
  /** Connect on the first command rather than at once. */
  lazyConnect?: boolean;
  /** Retries of one command across reconnections (null: without bound, the workers' choice). */
  maxRetriesPerRequest?: number | null;
}

type Call = { name: string; args: unknown[] };
type Reply = [Error | null, unknown];

/**
 * ioredis' Cluster refuses a pipeline whose keys live on more than one node, and Redis a MULTI whose keys
 * are in more than one slot. The store's pipelines cross partitions (a batch's tasks, wakes of several
 * partitions): here they are split by slot, each slot's commands one pipeline, sent at once, their replies
 * put back in order; commands without a key (PUBLISH) are sent once the others are done. A MULTI on one slot stays a transaction; one over several slots runs as one
 * transaction per slot, in order of their first command (the callers order their writes for that).
 */
export class StoreCluster extends Cluster {
  override pipeline(commands?: unknown[][]): ChainableCommander {
    if (commands) return super.pipeline(commands);
    return recorder((calls) => this.run(calls, false));
  }

  override multi = ((...args: unknown[]) => {
    if (args.length > 0) return (Cluster.prototype.multi as (...a: unknown[]) => unknown).apply(this, args);
    return recorder((calls) => this.run(calls, true));
  }) as Cluster['multi'];

  private slotOfCall(c: Call): number | null {
    // scripts defined with defineCommand take their one key first; ioredis knows where other commands' keys are
    if (c.name in this.scriptsSet) return typeof c.args[0] === 'string' ? slotOf(c.args[0]) : null;
    let [name, args] = [c.name, c.args];
    if (name === 'call') [name, args] = [String(args[0]).toLowerCase(), args.slice(1)];
    if (name === 'memory' && String(args[0]).toLowerCase() === 'usage') return slotOf(String(args[1]));
    try {
      return new Command(name, args as string[]).getSlot() ?? null;
    } catch {
      return null;
    }
  }

  private async run(calls: Call[], transaction: boolean): Promise<Reply[]> {
    const groups = new Map<number | null, number[]>();
    calls.forEach((c, i) => {
      const slot = this.slotOfCall(c);
      const g = groups.get(slot);
      if (g) g.push(i);
      else groups.set(slot, [i]);
    });
    const replies: Reply[] = new Array<Reply>(calls.length);
    const send = async (indexes: number[]): Promise<void> => {
      const p = (transaction
        ? Cluster.prototype.multi.call(this)
        : Cluster.prototype.pipeline.call(this)) as unknown as Record<string, (...a: unknown[]) => unknown> & {
        exec(): Promise<Reply[] | null>;
      };
      for (const i of indexes) p[calls[i].name](...calls[i].args);
      const out = (await p.exec()) ?? [];
      indexes.forEach((i, j) => (replies[i] = out[j] ?? [new Error('no reply'), null]));
    };
    if (transaction) for (const indexes of groups.values()) await send(indexes);
    else {
      // commands without a key (PUBLISH: a wake) go last, once every keyed command is done, as they would
      // in one pipeline: a worker woken before the tasks it is woken for exist would not see them
      const keyless = groups.get(null);
      groups.delete(null);
      await Promise.all([...groups.values()].map(send));
      if (keyless) await send(keyless);
    }
    return replies;
  }
}

/** Records chained commands; `exec()` hands them to `run`. Stands in for a Pipeline (same calls, same replies). */
function recorder(run: (calls: Call[]) => Promise<Reply[]>): ChainableCommander {
  const calls: Call[] = [];
  const target = {} as Record<string | symbol, unknown>;
  const proxy: unknown = new Proxy(target, {
    get(_t, prop) {
      if (prop === 'exec') return () => (calls.length === 0 ? Promise.resolve([]) : run(calls));
      if (prop === 'length') return calls.length;
      if (prop === 'then') return undefined; // not a promise
      if (typeof prop !== 'string') return undefined;
      return (...args: unknown[]) => {
        calls.push({ name: prop, args });
        return proxy;
      };
    },
  });
  return proxy as ChainableCommander;
}

/**
 * The one place a connection to the store is made (workers, api, keys CLI, bench, tests' support). On a
 * cluster it is a `StoreCluster` typed as `Redis`: the store uses only commands both clients have, with
 * keys of one slot per command, script and transaction (pipelines are split by slot above).
 */
export function connectRedis(target: RedisTarget, opts: ConnectOptions = {}): Redis {
  const maxRetriesPerRequest = opts.maxRetriesPerRequest === undefined ? null : opts.maxRetriesPerRequest;
  if (!target.redisCluster) {
    const options: RedisOptions = { maxRetriesPerRequest, lazyConnect: opts.lazyConnect ?? false };
    if (opts.failFast)
      Object.assign(options, { enableOfflineQueue: false, retryStrategy: (n: number) => Math.min(n * 100, 1000) });
    return new Redis(target.redisUrl, options);
  }
  const { nodes, username, password } = target.redisCluster;
  const options: ClusterOptions = {
    lazyConnect: opts.lazyConnect ?? false,
    // a master that died: its replica is promoted within cluster-node-timeout; commands wait that out
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    // a dead master's slots answer connection errors until its replica is promoted (cluster-node-timeout
    // and an election): workers retry about 13 s, the api about 3 s before answering 503
    maxRedirections: opts.failFast ? 16 : 64,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (n: number) => Math.min(n * 100, 2000),
    // nodes that come back (a restarted replica) are reconnected; a dead one is dropped at the next refresh
    redisOptions: { maxRetriesPerRequest, ...(username ? { username } : {}), ...(password ? { password } : {}) },
    ...(opts.failFast ? { enableOfflineQueue: false } : {}),
  };
  return new StoreCluster(nodes, options) as unknown as Redis;
}

export const isCluster = (redis: Redis): boolean => (redis as unknown as { isCluster?: boolean }).isCluster === true;
