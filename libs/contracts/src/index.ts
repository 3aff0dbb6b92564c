export * from './task';
export * from './api';
export * from './coroutines';
export * from './config';
export * from './shutdown';
export * from './schedule';
export * from './schedule-spec';
export * from './schedule-coroutine';
