import { emit, type CloudEventInput, type Json } from '@yieldflow/runtime';
import { configurationError } from '../errors';
import type { TaskDef } from '../types';
import { args, type Gen, type Run, type Scope } from './run';
import type { Flow } from './run';

/** `emit`: publish the event; its id and time, when not given, come from the task id and the step's clock. */
export function* runEmit(
  run: Run,
  _name: string,
  task: TaskDef,
  pointer: string,
  input: Json,
  scope: Scope,
): Gen<Flow> {
  const props = run.ex.deep(task.emit.event.with, input, args(run, scope, { input }), `${pointer}/emit/event/with`);
  if (!props || typeof props !== 'object' || Array.isArray(props))
    throw configurationError('emit.event.with must give an object', `${pointer}/emit/event/with`);
  const n = ++run.emitted;
  const event: Record<string, Json> = {
    id: `${run.ctx.taskId}-${n}`,
    specversion: '1.0',
    time: new Date(run.ctx.now()).toISOString(),
    ...props,
  };
  if (typeof event.type !== 'string' || typeof event.source !== 'string') {
    throw configurationError('an emitted event needs a string type and source', `${pointer}/emit/event/with`);
  }
  if (event.data !== undefined && event.datacontenttype === undefined) event.datacontenttype = 'application/json';
  const sent: Json = yield emit(event as unknown as CloudEventInput);
  const output = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? { ...event, ...sent } : event;
  return { output };
}
