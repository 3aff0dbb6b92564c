import type { ModuleMetadata, FactoryProvider } from '@nestjs/common';
import type { CreateWorkerOptions } from '../worker';

export interface YieldflowModuleOptions extends Partial<CreateWorkerOptions> {
  /** Where the api listens, for the injectable YieldflowClient (default `http://127.0.0.1:3000`). */
  baseUrl?: string;
  /** An API key for the client. */
  apiKey?: string;
  /** Run a worker in this application (default true); false: only the client. */
  worker?: boolean;
}

export interface YieldflowModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  /** Called by Nest with the providers named in `inject`, in order. */
  useFactory: (...args: never[]) => YieldflowModuleOptions | Promise<YieldflowModuleOptions>;
}
