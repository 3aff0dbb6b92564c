/**
 * Every endpoint the client calls, as the OpenAPI document names it (path templates in `{param}` form).
 * The client builds its requests from this table, and test/client/drift.test.ts checks each one against the
 * document the api generates, with the contracts type of its body and answer.
 */
export const ROUTES = {
  submit: { method: 'post', path: '/v1/tasks', request: 'SubmitRequest', response: 'TaskView' },
  get: { method: 'get', path: '/v1/tasks/{id}', response: 'TaskView' },
  send: { method: 'post', path: '/v1/tasks/{id}/send', request: 'SendRequest', response: 'SendAnswer' },
  cancel: { method: 'post', path: '/v1/tasks/{id}/cancel', response: 'TaskView' },
  batch: { method: 'post', path: '/v1/batches', request: 'BatchRequest', response: 'BatchCreated' },
  getBatch: { method: 'get', path: '/v1/batches/{id}', response: 'BatchView' },
  publish: { method: 'post', path: '/v1/events', request: 'EventRequest', response: 'PublishAnswer' },
} as const;

export type RouteName = keyof typeof ROUTES;

/** The path of a route with its `{param}`s filled in (encoded). */
export function pathOf(name: RouteName, params: Record<string, string> = {}): string {
  return ROUTES[name].path.replace(/\{(\w+)\}/g, (_, p: string) => {
    const v = params[p];
    if (typeof v !== 'string' || v === '') throw new TypeError(`${p} must be a non-empty string`);
    return encodeURIComponent(v);
  });
}
