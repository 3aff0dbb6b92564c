import { type Type } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';

/**
 * Request bodies that work as they are when tried from /docs (test/client/openapi.test.ts posts each one and
 * expects a 2xx): Swagger UI's own default fills every field, which the api refuses ("exactly one of ...").
 */
type Examples = Record<string, { summary: string; value: unknown }>;

const definition = {
  document: { dsl: '1.0.3', namespace: 'default', name: 'hello', version: '1.0.0' },
  do: [{ greet: { set: { greeting: '${ "hello, " + .name }' } } }],
};

export const EXAMPLES = {
  submit: {
    coroutine: {
      summary: 'A registered coroutine (the seed: three 1 s sleeps)',
      value: { coroutine: 'seed.func-a', input: { orderId: 'A-1' } },
    },
    definition: { summary: 'An inline workflow definition', value: { definition, input: { name: 'world' } } },
    yaml: {
      summary: 'A definition as YAML text',
      value: {
        definition:
          'document:\n  dsl: 1.0.3\n  namespace: default\n  name: hello-yaml\n  version: 1.0.0\ndo:\n  - one:\n      set:\n        a: 1\n',
      },
    },
  },
  batch: {
    seed: {
      summary: "The seed's two coroutines at once",
      value: { tasks: [{ coroutine: 'seed.func-a' }, { coroutine: 'seed.func-b' }] },
    },
  },
  bulk: {
    cancel: {
      summary: 'Cancel every suspended task of a coroutine',
      value: { action: 'cancel', filter: { status: 'suspended', coroutine: 'seed.func-b' } },
    },
  },
  send: {
    value: { summary: 'A value for a task waiting in receive (seed.consumer)', value: { value: 'first item' } },
  },
  rerun: {
    fromStart: { summary: 'From the start, with its old input', value: { fromStep: 0 } },
  },
  pause: {
    note: { summary: 'Pause with a note', value: { note: 'waiting for the supplier' } },
  },
  event: {
    paid: {
      summary: 'A CloudEvent (type and source are required)',
      value: { type: 'com.example.order.paid', source: 'https://shop.example.com', data: { orderId: 'A-1' } },
    },
  },
  definition: {
    hello: { summary: 'A workflow document', value: definition },
  },
  concurrency: {
    perCustomer: {
      summary: 'One task per customer at a time',
      value: { name: 'demo.per-customer', limit: 1, key: '${ .customer.id }' },
    },
  },
  key: {
    ci: { summary: 'A submitter key for CI', value: { role: 'submitter', name: 'ci' } },
  },
  schedule: {
    hourly: {
      summary: 'Start seed.func-a every hour',
      value: { id: 'hourly-report', every: '1h', coroutine: 'seed.func-a' },
    },
  },
  scheduleFields: {
    every: { summary: 'Every two hours from now on', value: { every: '2h' } },
  },
  backfill: {
    lastDay: {
      summary: 'The fires of a past day',
      value: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    },
  },
} satisfies Record<string, Examples>;

/** The body of an operation: its DTO's schema, with the examples /docs offers. */
export const ApiExamples = (type: Type<unknown> | undefined, examples: Examples, schema?: object) =>
  ApiBody(type ? { type, examples } : { schema: schema ?? { type: 'object' }, examples });
