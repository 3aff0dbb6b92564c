export * from './task';
export * from './coroutines';
export * from './config';
export * from './shutdown';
