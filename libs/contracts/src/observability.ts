/** How a process reports on itself: its metrics port, its log format, where its traces go. */
export interface Observability {
  /** Where a worker serves `/metrics` and `/health` (WORKER_METRICS_PORT); unset: no such server. */
  metricsPort?: number;
  /** The address that server listens on (WORKER_METRICS_HOST, default 127.0.0.1). */
  metricsHost: string;
  /** LOG_FORMAT: 'json' (default, one JSON object a line) or 'pretty' (readable terminal lines). */
  logFormat: 'json' | 'pretty';
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces are exported (OTLP over HTTP) only when it is set. */
  otlpEndpoint?: string;
  /** OTEL_SERVICE_NAME (default 'yieldflow-worker' or 'yieldflow-api'). */
  serviceName?: string;
}

/** Read the observability settings, each checked with a message naming the variable. */
export function loadObservability(env: NodeJS.ProcessEnv = process.env): Observability {
  const out: Observability = { metricsHost: env.WORKER_METRICS_HOST || '127.0.0.1', logFormat: 'json' };
  const port = env.WORKER_METRICS_PORT;
  if (port !== undefined && port !== '') {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`WORKER_METRICS_PORT must be an integer from 0 to 65535, got '${port}'`);
    out.metricsPort = n;
  }
  const format = (env.LOG_FORMAT ?? '').toLowerCase();
  if (format !== '' && format !== 'json' && format !== 'pretty')
    throw new Error(`LOG_FORMAT must be 'json' or 'pretty', got '${env.LOG_FORMAT}'`);
  if (format === 'pretty') out.logFormat = 'pretty';
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL, got '${endpoint}'`);
    out.otlpEndpoint = endpoint.replace(/\/+$/, '');
  }
  if (env.OTEL_SERVICE_NAME) out.serviceName = env.OTEL_SERVICE_NAME;
  return out;
}
