import { loadObservability } from './observability';

describe('loadObservability', () => {
  it('defaults: no metrics server, JSON logs, no traces', () => {
    expect(loadObservability({})).toEqual({ metricsHost: '127.0.0.1', logFormat: 'json' });
  });

  it('reads the port, host, format, endpoint and service name', () => {
    expect(
      loadObservability({
        WORKER_METRICS_PORT: '9464',
        WORKER_METRICS_HOST: '0.0.0.0',
        LOG_FORMAT: 'Pretty',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'orders-worker',
      }),
    ).toEqual({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      logFormat: 'pretty',
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'orders-worker',
    });
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => loadObservability({ WORKER_METRICS_PORT: '70000' })).toThrow(/WORKER_METRICS_PORT/);
    expect(() => loadObservability({ WORKER_METRICS_PORT: 'x' })).toThrow(/WORKER_METRICS_PORT/);
    expect(() => loadObservability({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadObservability({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
