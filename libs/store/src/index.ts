export * from './errors';
export * from './keys';
export * from './types';
export * from './task-store';
export * from './task-reader';
export * from './definition-registry';
export * from './schedule-store';
export * from './concurrency';
