import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { traceIdOf } from '../../apps/worker/src/tracing';
import { exited, spawnApp } from '../support/processes';
import { type OtlpReceiver, spanAttr as attr, startOtlpReceiver } from '../support/otlp';
import { dropPrefix, eventually, testConfig } from '../support/redis';

/**
 * Spans a built worker (OTEL_EXPORTER_OTLP_ENDPOINT set) exports over OTLP/HTTP to a local receiver, for a
 * workflow that waits and calls a local stand-in. A process, not in jest: the exporter loads node:http
 * with a dynamic import, which jest's module sandbox refuses. `npm test` builds first.
 */
describe('traces', () => {
  const config = testConfig({ partitions: 2, httpAllow: ['127.0.0.1'] });
  let app: INestApplication;
  const traceparents: string[] = [];
  let receiver: OtlpReceiver;
  let standIn: Server;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    standIn = createServer((req, res) => {
      traceparents.push(String(req.headers.traceparent));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', r));
    app = await createApp(config, { logLevel: 'silent' });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await dropPrefix(config.prefix);
    await receiver.close();
    await new Promise((r) => standIn.close(r));
  });

  it('a span per step and per IO call, one trace per task, the traceparent carried out', async () => {
    const { endpoint, spans, contentTypes } = receiver;
    const worker = spawnApp('worker', config, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    const url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/thing`;
    const api = request(app.getHttpServer());
    let id = '';
    try {
      const definition = {
        document: { dsl: '1.0.3', namespace: 'default', name: 'traced', version: '1.0.0' },
        do: [
          { nap: { wait: { milliseconds: 20 } } },
          { get: { call: 'http', with: { method: 'get', endpoint: url } } },
        ],
      };
      id = (await api.post('/v1/tasks').send({ definition }).expect(201)).body.id;
      await eventually(async () => ((await api.get(`/v1/tasks/${id}`)).body.status === 'completed' ? true : undefined));
    } finally {
      worker.kill('SIGTERM'); // it exports what is buffered as it stops
      await exited(worker);
    }
    expect(contentTypes[0]).toBe('application/json'); // OTLP/HTTP JSON, not protobuf
    const mine = spans.filter((s) => attr(s, 'yieldflow.task.id') === id);
    const steps = mine.filter((s) => s.name === 'step default/traced@1.0.0');
    expect(steps.map((s) => attr(s, 'yieldflow.step.outcome'))).toEqual(['suspended', 'suspended', 'completed']);
    const call = mine.find((s) => s.name.startsWith('http GET 127.0.0.1:'))!;
    expect(call).toBeDefined();
    expect(call.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(attr(call, 'yieldflow.namespace')).toBe('default');
    // all in the task's trace; the call is a child of the step that yielded it
    for (const s of mine) expect(s.traceId).toBe(traceIdOf(id));
    const yielding = steps.find((s) => attr(s, 'yieldflow.step.yielded') === 'http')!;
    expect(call.parentSpanId).toBe(yielding.spanId);
    expect(attr(call, 'yieldflow.task.step')).toBe(1); // its result is the journal's second entry
    for (const s of steps) expect(s.parentSpanId ?? '').toBe('');
    // the stand-in was told the call's span
    expect(traceparents).toEqual([`00-${traceIdOf(id)}-${call.spanId}-01`]);
  });
});
