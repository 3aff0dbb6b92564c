/**
 * The contract between the benchmark runner and the systems it measures.
 *
 * Every system (the two peers and the system under test) runs the seed's workload at scale:
 * `pairs` copies of func_a (sleep 1 s three times) and `pairs` of func_b (sleep 3 s once), all
 * submitted at once, so `tasks = 2 * pairs` and the ideal wall time is 3.0 s for any size.
 */

/** What the runner hands to a system for one measured run. */
export interface RunOptions {
  /** Number of func_a/func_b pairs: the run has 2 * pairs tasks and 4 * pairs timer resumes. */
  pairs: number;
  /** Redis to use (shared: use a unique key prefix and delete it afterwards; never flush). */
  redisUrl: string;
  /** Jobs processed at once per worker, for systems that have such a knob (raw BullMQ: 200). */
  concurrency: number;
  /** Worker processes to start, for systems that run several (the system under test). */
  workers: number;
  /** The run is abandoned (child killed, keys swept) after this long. */
  timeoutMs: number;
  /** Whether to measure Redis memory while all tasks are suspended. */
  measureMemory: boolean;
  /** Partitions, for systems that spread tasks over them (Yieldflow; default 16). */
  partitions?: number;
  /** A Redis Cluster's nodes (host:port,...), for systems that can use one (Yieldflow); unset: `redisUrl`. */
  redisCluster?: string;
}

/** One measured run. All times are milliseconds on the wall clock (Date.now()). */
export interface Result {
  name: string;
  /** Tasks submitted and completed (2 * pairs). */
  tasks: number;
  /** Timer resumes observed (4 * pairs: three per func_a, one per func_b). */
  resumes: number;
  /** From the first submission to the last task's completion (process start and connection set-up excluded). */
  wallMs: number;
  /** Resume lateness, (time the step actually resumed) - (its due time): median. */
  lateP50: number;
  /** Resume lateness, 99th percentile. */
  lateP99: number;
  /** Redis CPU (user + system, all masters) from submission to the last completion, every client's. */
  redisCpuMs?: number;
  /** INFO used_memory growth (all masters) while every task was suspended at its first sleep. */
  redisUsedBytes?: number;
  /** Resume lateness, worst. */
  lateMax: number;
  /** Redis memory held per task while all tasks are suspended; null when nothing is kept in Redis. */
  redisBytesPerTask: number | null;
  /** How long submitting all tasks took. */
  submitMs?: number;
  /** Delay from submission to a task's first step, 99th percentile (0 when tasks start synchronously). */
  startP99?: number;
  /** Anything the reader of the figures should know about this run. */
  notes?: string[];
}

/** A system the runner can measure. `run` should do its work in a child process (see fork.ts). */
export interface System {
  readonly name: string;
  run(opts: RunOptions): Promise<Result>;
}
