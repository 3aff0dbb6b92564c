import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Coroutine, Json } from '@yieldflow/runtime';
import { type AnyCoroutineDefinition, defineCoroutine } from '../define';
import { type ActivityFn, createWorker, type YieldflowWorker } from '../worker';
import { ACTIVITY_METADATA, COROUTINE_METADATA, type CoroutineMetadata, YIELDFLOW_OPTIONS } from './decorators';
import type { YieldflowModuleOptions } from './options';

/**
 * Finds the `@Coroutine()` and `@Activity()` methods of every provider (as @nestjs/bullmq finds its
 * processors), starts the worker with them when the application has bootstrapped, and stops it when the
 * application shuts down.
 */
@Injectable()
export class YieldflowExplorer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Yieldflow');
  private running: YieldflowWorker | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(YIELDFLOW_OPTIONS) private readonly options: YieldflowModuleOptions,
  ) {}

  /** The worker, once started (null before bootstrap, with `worker: false`, or after shutdown). */
  get worker(): YieldflowWorker | null {
    return this.running;
  }

  /** What the providers declare: coroutines by name, activities by name. */
  explore(): { coroutines: AnyCoroutineDefinition[]; activities: Record<string, ActivityFn> } {
    const coroutines: AnyCoroutineDefinition[] = [...(this.options.coroutines ?? [])];
    const activities: Record<string, ActivityFn> = { ...this.options.activities };
    const where = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      if (!proto) continue;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const at = `${instance.constructor.name}.${method}`;
        const c = Reflect.getMetadata(COROUTINE_METADATA, fn) as CoroutineMetadata | undefined;
        if (c) {
          if (where.has(c.name))
            throw new Error(`@Coroutine('${c.name}') is declared twice: ${where.get(c.name)} and ${at}`);
          where.set(c.name, at);
          coroutines.push(defineCoroutine(c.name, (fn as Coroutine).bind(instance) as Coroutine, c.options));
        }
        const a = Reflect.getMetadata(ACTIVITY_METADATA, fn) as string | undefined;
        if (a) {
          if (activities[a]) throw new Error(`@Activity('${a}') is declared twice (${at})`);
          activities[a] = (args: Json, ctx) => (fn as ActivityFn).call(instance, args, ctx);
        }
      }
    }
    return { coroutines, activities };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.worker === false) return;
    const { coroutines, activities } = this.explore();
    this.running = await createWorker({ ...this.options, coroutines, activities });
    this.logger.log(
      `worker ${this.running.workerId} started (group ${this.running.group}): ${this.running.coroutines.join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const w = this.running;
    this.running = null;
    if (w) await w.close();
  }
}
