export * from './json';
export * from './errors';
export * from './effects';
export * from './retry';
export * from './execution';
export * from './registry';
export { patched } from './patch';
export * from './seed';
export * from './simulate';
