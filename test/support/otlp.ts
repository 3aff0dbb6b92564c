import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A local OTLP/HTTP (JSON) receiver: what exporters sent to `<endpoint>/v1/traces`, as it arrived. */
export interface OtlpReceiver {
  endpoint: string;
  spans: OtlpSpan[];
  /** The `service.name` of each resource received. */
  services: string[];
  contentTypes: string[];
  close(): Promise<void>;
}

const body = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
};

/** A span's attribute, as a string or a number. */
export const spanAttr = (s: OtlpSpan, key: string): string | number | undefined => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: Omit<OtlpReceiver, 'endpoint' | 'close'> = { spans: [], services: [], contentTypes: [] };
  const server = createServer((req, res) => {
    void body(req).then((raw) => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return res.writeHead(404).end();
      received.contentTypes.push(String(req.headers['content-type']));
      const doc = JSON.parse(raw.toString('utf8')) as {
        resourceSpans: {
          resource?: { attributes: OtlpSpan['attributes'] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      };
      for (const rs of doc.resourceSpans) {
        const service = rs.resource?.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        if (service !== undefined) received.services.push(service);
        for (const ss of rs.scopeSpans) received.spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...received,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
