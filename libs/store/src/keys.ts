import { createHash, randomFillSync } from 'node:crypto';

/**
 * The Redis Cluster slot of a key (CRC16/XMODEM of its hash tag, or of the whole key, mod 16384), as Redis
 * computes it: the store uses it to spread partitions and to split pipelines by slot.
 */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ byte) & 0xff];
  return crc % 16384;
}

const CRC16 = Array.from({ length: 256 }, (_, n) => {
  let c = n << 8;
  for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  return c;
});

/**
 * 'plain' partitions are tagged `{p<n>}`; their slots fall where CRC16 puts them, unevenly (16 partitions
 * on 3 masters: 4, 5 and 7; on 8 masters: 4 masters hold none). 'spread' tags are `{p<n>.<k>}`, with the
 * first k that puts partition n within an eighth of its width of the middle of the n-th of P equal ranges
 * of slots. Partitions are then in slot order, evenly apart, so masters holding equal contiguous ranges
 * (what `redis-cli --cluster create` makes) hold about P/M each (docs/SCALING.md has the table).
 */
export type PartitionTags = 'plain' | 'spread';

const spread = new Map<string, string>();

export function spreadTag(n: number, partitions: number): string {
  const known = spread.get(`${n}/${partitions}`);
  if (known) return known;
  const width = 16384 / partitions;
  const middle = (n + 0.5) * width;
  const near = Math.max(0.5, width / 8);
  let k = 0;
  while (Math.abs(slotOf(`p${n}.${k}`) + 0.5 - middle) > near) k++;
  spread.set(`${n}/${partitions}`, `p${n}.${k}`);
  return `p${n}.${k}`;
}

/**
 * Key layout. Every key of a task lives in its partition, under the partition's hash tag, so each
 * transition is one script on one slot (Redis Cluster ready). Partition = fnv1a(taskId) mod P; P is
 * fixed for the life of a deployment (stored under `<prefix>:meta` and checked at start).
 *
 *   <prefix>:{pN}:t:<id>    task hash          <prefix>:{pN}:due     due set (timers, ready tasks)
 *   <prefix>:{pN}:j:<id>    journal list       <prefix>:{pN}:act     active set (claimed by the owner)
 *   <prefix>:{pN}:i:<id>    sent values        <prefix>:{pN}:own     owner token (lease)
 *   <prefix>:{pN}:r:<id>    trace list         <prefix>:{pN}:idx:<ns> tasks by creation time
 *   <prefix>:{pN}:ch:<id>   children results   <prefix>:{pN}:cnt     tasks by status
 *   <prefix>:{pN}:wt:<ns>:<type> waiters      <prefix>:{pN}:eb:<ns>:<type> recent events
 *   <prefix>:{pN}:bt:<batch> batch aggregates  <prefix>:{pN}:ob      outbox (cross-partition work)
 *   <prefix>:{pN}:obx       outbox items set aside (applying them failed every time), with why
 *   <prefix>:{pN}:dc:<root> descendants of a root task, counted once per spawn
 *   <prefix>:{pN}:pq        tasks submitted with a priority, waiting (claimed before the due set)
 *   <prefix>:{pN}:evid:<ns>:<event id>  an event id published here (dedupe, for the buffer's life)
 *   <prefix>:{pN}:es:<ns>   the last event score given in the namespace (scores stay unique)
 *   <prefix>:{pN}:rr:<id>   a task's reruns (the latest 100)
 *   <prefix>:{pN}:own:<g>, act:<g>  a worker group's lease and active set (the default group's: own, act)
 *   <prefix>:{pN}:grps      the worker groups that ever owned the partition (absent with one group)
 *   <prefix>:{pN}:dq:<name> due tasks of a coroutine parked for a worker that runs it; dqs names them
 *   <prefix>:{pN}:exp       finished tasks by the time they expire (retention; expire-1.lua removes them)
 *
 * The list filters' indexes (task-list.ts), each zero-scored and ordered by member, as `idx:<ns>` is
 * ('<inverted createdAt>:<id>', newest first), except `ids:<ns>` (ids: prefix search):
 *
 *   <prefix>:{pN}:ix:<ns>:c:<coroutine>   <prefix>:{pN}:ix:<ns>:d:<def ns>/<def name>  (every version)
 *   <prefix>:{pN}:ix:<ns>:live            tasks not finished       <prefix>:{pN}:ids:<ns>  ids
 *   <prefix>:{pN}:ix:<ns>:s:<status>      finished tasks by status (completed, faulted, cancelled)
 *
 * Concurrency limits are kept per namespace (<prefix>:cc:<ns>, name -> { limit, key }); the slots of one
 * limit and key value live under a hash tag of their own, shared by tasks of every partition:
 *
 *   <prefix>:{cc:<ns>:<hash>}:h  holders (task ids)   <prefix>:{cc:<ns>:<hash>}:w  the line (arrival order)
 *   <prefix>:{cc:<ns>:<hash>}:l  the limit            <prefix>:{cc:<ns>:<hash>}:n  arrival counter
 *
 * A published event's body is kept once per namespace, in the namespace's own slot; the partitions'
 * buffers (`eb:`) hold references to it ('<expires at> <event id>'):
 *
 *   <prefix>:{ev:<ns>}:b:<id>  event body (JSON)  <prefix>:{ev:<ns>}:ix  buffered ids by publish time
 *   <prefix>:{ev:<ns>}:sz      id -> bytes        <prefix>:{ev:<ns>}:n   buffered bytes in all
 *
 * Deployment-wide keys (no hash tag), each used by one store class only:
 *
 *   <prefix>:meta               partitions and tags (TaskStore.init)   <prefix>:coroutines  catalog (Catalog)
 *   <prefix>:workers, gw:<group>  heartbeats (WorkerRegistry)       <prefix>:stats  resume/fire counters (StatsStore)
 *   <prefix>:jobqueues          BullMQ queues of job steps (JobQueues)
 *   <prefix>:def:<hash>         definition texts (TaskStore)   <prefix>:defs:<tenant>[:<ns>/<name>]  DefinitionRegistry
 *   <prefix>:batch:<id>[:ids]   batches (TaskStore, TaskReader)   <prefix>:cc:<ns>  concurrency limits (Concurrency)
 *   <prefix>:{s:<ns>:<id>}:h|f|t|s, schedules:<ns>  schedules (ScheduleStore)
 *   <prefix>:evstarts:<ns>      event-started definitions (EventStartIndex)
 *   <prefix>:keys:...           api keys; <prefix>:rl:<subject>:<window> rate limits (AuthKeyStore)
 *   channels: <prefix>:wake (WorkerRegistry), <prefix>:notify and <prefix>:changes (Channels)
 *
 * Apps never build a key or reach the store's connection (test/store/keyspace-guard.test.ts checks it).
 */
export function partitionOf(id: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

export class Keys {
  private readonly tags: string[];

  constructor(
    readonly prefix: string,
    readonly partitions: number,
    readonly partitionTags: PartitionTags = 'plain',
  ) {
    this.tags = Array.from({ length: partitions }, (_, n) =>
      partitionTags === 'spread' ? spreadTag(n, partitions) : `p${n}`,
    );
  }

  partition(n: number): string {
    return `${this.prefix}:{${this.tags[n]}}:`;
  }
  partitionOfTask(id: string): string {
    return this.partition(partitionOf(id, this.partitions));
  }
  task(id: string): string {
    return `${this.partitionOfTask(id)}t:${id}`;
  }
  journal(id: string): string {
    return `${this.partitionOfTask(id)}j:${id}`;
  }
  trace(id: string): string {
    return `${this.partitionOfTask(id)}r:${id}`;
  }
  inbox(id: string): string {
    return `${this.partitionOfTask(id)}i:${id}`;
  }
  get meta(): string {
    return `${this.prefix}:meta`;
  }
  /** The deployment's coroutine catalog: name -> when a worker running it last said so (ms). */
  get coroutines(): string {
    return `${this.prefix}:coroutines`;
  }
  /** The live workers of one worker group ('' the default one), each scored by its last heartbeat: its fair share's divisor. */
  groupWorkers(group: string): string {
    return `${this.prefix}:gw:${group}`;
  }
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  /** The BullMQ queues `job` steps have added jobs to (Bull Board shows them). */
  get jobQueues(): string {
    return `${this.prefix}:jobqueues`;
  }
  /** Resume counters and the lateness histogram the workers flush and /metrics reads. */
  get stats(): string {
    return `${this.prefix}:stats`;
  }
  get wakeChannel(): string {
    return `${this.prefix}:wake`;
  }
  get notifyChannel(): string {
    return `${this.prefix}:notify`;
  }
  /** What write-backs and the api changed, for the api's stream clients (ChangeFeed). */
  get changesChannel(): string {
    return `${this.prefix}:changes`;
  }
  /** A tenant's definitions (`<namespace>/<name>` -> versions), and the names it holds. */
  definitions(tenant: string, namespace: string, name: string): string {
    return `${this.prefix}:defs:${tenant}:${namespace}/${name}`;
  }
  definitionNames(tenant: string): string {
    return `${this.prefix}:defs:${tenant}`;
  }
  /** An api key's records: `<sha256(token)>`, `id:<id>`, `ns:<namespace>`, `namespaces` (AuthKeyStore). */
  apiKey(rest: string): string {
    return `${this.prefix}:keys:${rest}`;
  }
  /** A rate limit's counter of one subject and fixed window. */
  rateLimit(subject: string, window: number): string {
    return `${this.prefix}:rl:${subject}:${window}`;
  }
  /** A namespace's event-started definitions (`<namespace>/<name>` -> filters). */
  eventStarts(namespace: string): string {
    return `${this.prefix}:evstarts:${namespace}`;
  }
  /** The prefix of a namespace's buffered event bodies (one slot per namespace). */
  events(namespace: string): string {
    return `${this.prefix}:{ev:${namespace}}:`;
  }
  eventBody(namespace: string, id: string): string {
    return `${this.events(namespace)}b:${id}`;
  }
  /** A namespace's concurrency limits (name -> JSON { limit, key }). */
  concurrency(namespace: string): string {
    return `${this.prefix}:cc:${namespace}`;
  }
  /** The slots of one limit and key value (`hash`: of the name and the key's value). */
  slot(namespace: string, hash: string): string {
    return `${this.prefix}:{cc:${namespace}:${hash}}:`;
  }
  definition(hash: string): string {
    return `${this.prefix}:def:${hash}`;
  }
  batch(id: string): string {
    return `${this.prefix}:batch:${id}`;
  }
  batchTasks(id: string): string {
    return `${this.prefix}:batch:${id}:ids`;
  }
  /** A schedule's keys (one slot): `h` hash, `f` fire records, `t` its tasks by fire time, `s` fires seen. */
  schedule(namespace: string, id: string): string {
    return `${this.prefix}:{s:${namespace}:${id}}:`;
  }
  /** A namespace's schedules by creation time. */
  schedules(namespace: string): string {
    return `${this.prefix}:schedules:${namespace}`;
  }
}

/**
 * A child's id: derived from its parent's step, so a repeated spawn creates nothing new. Readable while
 * short; past 64 characters the parent's part is hashed, so ids stay bounded however deep spawns nest.
 */
export function childId(parent: string, seq: number, index: number): string {
  const id = `${parent}.${seq}.${index}`;
  return id.length <= 64
    ? id
    : `${createHash('sha256').update(parent).digest('base64url').slice(0, 22)}.${seq}.${index}`;
}

const ID_CHARS = /^[A-Za-z0-9_.-]{1,128}$/;
export const isTaskId = (id: string): boolean => ID_CHARS.test(id);

/** Random bytes for ids, filled 512 ids at a time: one randomFillSync per 512 ids instead of one call each. */
const ID_BYTES = 12;
const idPool = Buffer.allocUnsafe(ID_BYTES * 512);
let idAt = idPool.length;

/** A fresh id: 16 url-safe characters (96 random bits, from the CSPRNG). */
export function newId(): string {
  if (idAt === idPool.length) {
    randomFillSync(idPool);
    idAt = 0;
  }
  const id = idPool.toString('base64url', idAt, idAt + ID_BYTES);
  idAt += ID_BYTES;
  return id;
}

/** The id a submission with an idempotency key always gets, so retrying it creates nothing new. */
export const idForKey = (namespace: string, key: string): string =>
  createHash('sha256').update(`${namespace}\u0000${key}`).digest('base64url').slice(0, 16);

export const contentHash = (text: string): string => createHash('sha256').update(text).digest('hex');
