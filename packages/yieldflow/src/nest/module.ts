import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { YieldflowClient } from '@yieldflow/client';
import { YIELDFLOW_OPTIONS } from './decorators';
import { YieldflowExplorer } from './explorer';
import type { YieldflowModuleAsyncOptions, YieldflowModuleOptions } from './options';

const shared: Provider[] = [
  YieldflowExplorer,
  {
    provide: YieldflowClient,
    inject: [YIELDFLOW_OPTIONS],
    useFactory: (o: YieldflowModuleOptions) =>
      new YieldflowClient({ baseUrl: o.baseUrl ?? 'http://127.0.0.1:3000', apiKey: o.apiKey }),
  },
];

/**
 * Yieldflow in a NestJS application: `@Coroutine()` and `@Activity()` methods of its providers are run
 * by a worker started on bootstrap (stopped on shutdown), and `YieldflowClient` is injectable.
 */
@Module({})
export class YieldflowModule {
  static forRoot(options: YieldflowModuleOptions = {}): DynamicModule {
    return {
      module: YieldflowModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: YIELDFLOW_OPTIONS, useValue: options }, ...shared],
      exports: [YieldflowClient, YieldflowExplorer],
    };
  }

  static forRootAsync(options: YieldflowModuleAsyncOptions): DynamicModule {
    return {
      module: YieldflowModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: YIELDFLOW_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        ...shared,
      ],
      exports: [YieldflowClient, YieldflowExplorer],
    };
  }
}
