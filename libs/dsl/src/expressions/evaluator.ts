import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { pathToFileURL } from 'url';
import type { Json } from '@yieldflow/runtime';
import { compilePath, type PathFn } from './path';
import { CHILD_SOURCE, RELAY_SOURCE } from './worker-source';

/**
 * Evaluates one jq expression (without its `${ }`) on an input, with named arguments bound as `$name`.
 * Synchronous: the interpreter is a generator and cannot await. Throws ExpressionFailure on any failure.
 */
export interface ExpressionEvaluator {
  evaluate(expression: string, input: Json, args: Record<string, Json>): Json;
}

/** An expression failed: bad syntax, a runtime error, or over its time or memory budget. */
export class ExpressionFailure extends Error {
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'ExpressionFailure';
  }
}

export interface JqEvaluatorOptions {
  /** Longest one evaluation may run, ms (default 1,000). */
  timeoutMs?: number;
  /** Heap of the evaluating process, MiB (default 64): an expression that allocates past it fails. */
  maxMemoryMb?: number;
  /** Longest the worker may take to start (load jqjs and jq-web), ms (default 15,000). */
  startupMs?: number;
  /** 'auto' (jqjs, jq-web when jqjs cannot), or one engine only (for tests). Default 'auto'. */
  engine?: 'auto' | 'jqjs' | 'jq';
  /** Evaluate plain paths (`.a.b`, `$input.x`) on the calling thread (default true). */
  inlinePaths?: boolean;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: Json;
  error?: string;
  engine?: string;
}

/**
 * jq, bounded. Plain paths run inline (they cannot loop); everything else runs in a child process with a
 * capped heap, reached through a relay thread that the caller blocks on with Atomics.wait up to
 * `timeoutMs`. A child that overruns its time is killed, one that overruns its memory dies; either is
 * replaced on the next call, so a runaway expression costs its task, never the process.
 */
export class JqEvaluator implements ExpressionEvaluator {
  private readonly opts: Required<JqEvaluatorOptions>;
  private readonly paths = new Map<string, PathFn | null>();
  private worker?: Worker;
  private port?: MessagePort;
  private signal?: Int32Array;
  private seen = 0;
  private nextId = 1;
  /** Counters, for tests and metrics. */
  readonly stats = { inline: 0, worker: 0, timeouts: 0, restarts: 0 };

  constructor(opts: JqEvaluatorOptions = {}) {
    this.opts = { timeoutMs: 1000, maxMemoryMb: 64, startupMs: 15_000, engine: 'auto', inlinePaths: true, ...opts };
  }

  evaluate(expression: string, input: Json, args: Record<string, Json>): Json {
    if (this.opts.inlinePaths) {
      let path = this.paths.get(expression);
      if (path === undefined) {
        path = compilePath(expression);
        if (this.paths.size > 10_000) this.paths.clear();
        this.paths.set(expression, path);
      }
      if (path) {
        this.stats.inline++;
        try {
          return path(input, args);
        } catch (err) {
          throw new ExpressionFailure(expression, (err as Error).message);
        }
      }
    }
    this.stats.worker++;
    return this.remote(expression, input, referenced(expression, args));
  }

  /** Start the worker now (it loads jqjs and jq-web), so the first evaluation does not pay for it. */
  warmUp(): void {
    this.ensureWorker();
  }

  /** Stop the relay and its child (the relay is unref'd: it never keeps the process alive). */
  close(): void {
    this.kill();
    void this.worker?.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
  }

  private remote(expression: string, input: Json, args: Record<string, Json>): Json {
    this.ensureWorker();
    const id = this.nextId++;
    this.port!.postMessage({
      id,
      expr: expression,
      input,
      args,
      engine: this.opts.engine === 'auto' ? undefined : this.opts.engine,
    });
    const deadline = Date.now() + this.opts.timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      Atomics.wait(this.signal!, 0, this.seen, remaining);
      const msg = receiveMessageOnPort(this.port!);
      if (!msg) continue;
      this.seen++;
      const reply = msg.message as Reply;
      if (reply.id !== id) continue; // a late answer to an earlier call
      if (reply.ok) return reply.value === undefined ? null : reply.value;
      throw new ExpressionFailure(expression, reply.error ?? 'evaluation failed');
    }
    this.stats.timeouts++;
    this.kill();
    this.close();
    throw new ExpressionFailure(
      expression,
      `evaluation exceeded its limit of ${this.opts.timeoutMs} ms (or ${this.opts.maxMemoryMb} MiB of memory) and was stopped`,
    );
  }

  private kill(): void {
    const pid = this.signal ? Atomics.load(this.signal, 2) : 0;
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private ensureWorker(): void {
    if (this.worker) return;
    const { port1, port2 } = new MessageChannel();
    const sab = new SharedArrayBuffer(12);
    const signal = new Int32Array(sab);
    const worker = new Worker(RELAY_SOURCE, {
      eval: true,
      workerData: {
        port: port2,
        signal: sab,
        childSource: CHILD_SOURCE,
        maxMemoryMb: this.opts.maxMemoryMb,
        jqjsUrl: pathToFileURL(require.resolve('@michaelhomer/jqjs')).href,
        jqWebPath: require.resolve('jq-web'),
        cacheSize: 2000,
      },
      transferList: [port2],
      stdout: true,
      stderr: true,
    });
    worker.unref();
    worker.on('error', () => undefined); // an out-of-memory exit is seen as a timeout by the caller
    port1.unref();
    const started = Atomics.wait(signal, 1, 0, this.opts.startupMs);
    if (started === 'timed-out' || Atomics.load(signal, 1) !== 1) {
      const pid = Atomics.load(signal, 2);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      void worker.terminate();
      port1.close();
      throw new ExpressionFailure('', `the expression worker did not start within ${this.opts.startupMs} ms`);
    }
    this.stats.restarts++;
    this.worker = worker;
    this.port = port1;
    this.signal = signal;
    this.seen = 0;
  }
}

/** Only the arguments an expression names travel to the worker (and jqjs copies its variables per binding). */
function referenced(expression: string, args: Record<string, Json>): Record<string, Json> {
  if (!expression.includes('$')) return {};
  const out: Record<string, Json> = {};
  for (const name of Object.keys(args)) {
    if (new RegExp(`\\$${name}(?![A-Za-z0-9_])`).test(expression)) out[name] = args[name];
  }
  return out;
}

let shared: JqEvaluator | undefined;
/** One evaluator per process by default: one worker, one cache. */
export function defaultEvaluator(): JqEvaluator {
  shared ??= new JqEvaluator();
  return shared;
}
