import 'reflect-metadata';
import type { CoroutineOptions } from '@yieldflow/runtime';

export const COROUTINE_METADATA = 'yieldflow:coroutine';
export const ACTIVITY_METADATA = 'yieldflow:activity';

export interface CoroutineMetadata {
  name: string;
  options: CoroutineOptions;
}

/** The key under which the module finds its options (forRoot / forRootAsync). */
export const YIELDFLOW_OPTIONS = Symbol('YIELDFLOW_OPTIONS');

/* Metadata is kept on the method itself (the function), as Nest's SetMetadata does for handlers. */
function mark(key: string, value: unknown): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(key, value, descriptor.value as object);
    return descriptor;
  };
}

/**
 * A generator method of a provider is the coroutine `name`: the module's worker runs it for tasks
 * submitted under that name. It is bound to the provider, but between two yields it must not act on the
 * world (it is replayed after a crash, and may run ahead of a sleep's due time): yield effects, and put
 * work with side effects in an `@Activity()`.
 */
export const Coroutine = (name: string, options: CoroutineOptions = {}): MethodDecorator =>
  mark(COROUTINE_METADATA, { name, options } satisfies CoroutineMetadata);

/** An async method of a provider is the activity `name`, performed by the worker for `yield activity(name, args)`. */
export const Activity = (name: string): MethodDecorator => mark(ACTIVITY_METADATA, name);
