/** The NestJS module of Yieldflow (needs @nestjs/common and @nestjs/core, peer dependencies). */
export { Activity, Coroutine, YIELDFLOW_OPTIONS } from './decorators';
export { YieldflowModule } from './module';
export { YieldflowExplorer } from './explorer';
export type { YieldflowModuleAsyncOptions, YieldflowModuleOptions } from './options';
export { YieldflowClient } from '@yieldflow/client';
