/** Injection tokens for the api's providers. */
export const CONFIG = Symbol('CONFIG');
export const REDIS = Symbol('REDIS');
export const SUBSCRIBER = Symbol('SUBSCRIBER');
export const COROUTINES = Symbol('COROUTINES');
