import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { traceIdOf } from '../../apps/worker/src/tracing';
import { exited, spawnApp } from '../support/processes';
import { dropPrefix, eventually, testConfig } from '../support/redis';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

const body = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
};

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

/**
 * Spans a built worker (OTEL_EXPORTER_OTLP_ENDPOINT set) exports over OTLP/HTTP to a local receiver, for a
 * workflow that waits and calls a local stand-in. A process, not in jest: the exporter loads node:http
 * with a dynamic import, which jest's module sandbox refuses. `npm test` builds first.
 */
describe('traces', () => {
  const config = testConfig({ partitions: 2, httpAllow: ['127.0.0.1'] });
  let app: INestApplication;
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const traceparents: string[] = [];
  let receiver: Server;
  let standIn: Server;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      void body(req).then((raw) => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
        contentTypes.push(String(req.headers['content-type']));
        const doc = JSON.parse(raw.toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    standIn = createServer((req, res) => {
      traceparents.push(String(req.headers.traceparent));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', r));
    app = await createApp(config, { logLevel: 'silent' });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await dropPrefix(config.prefix);
    await new Promise((r) => receiver.close(r));
    await new Promise((r) => standIn.close(r));
  });

  it('a span per step and per IO call, one trace per task, the traceparent carried out', async () => {
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
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
