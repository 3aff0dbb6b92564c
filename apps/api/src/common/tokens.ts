/** Injection tokens for the api's providers. */
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS');
export const SUBSCRIBER = Symbol('SUBSCRIBER');
export const COROUTINES = Symbol('COROUTINES');
/** The api's pino logger (app.module.ts), for the request lines. */
export const LOGGER = Symbol('LOGGER');
