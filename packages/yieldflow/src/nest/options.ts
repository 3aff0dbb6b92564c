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
  imports?: any[];
  inject?: any[];
  useFactory: (...args: any[]) => YieldflowModuleOptions | Promise<YieldflowModuleOptions>;
}
