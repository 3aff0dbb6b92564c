import { loadConfig } from '@yieldflow/contracts';

describe('retention settings', () => {
  it('defaults to 7 days for every namespace, looked at every 5 s at the latest', () => {
    expect(loadConfig({}).retention).toEqual({ defaultMs: 7 * 24 * 3600_000, byNamespace: {}, sweepMs: 5000 });
  });

  it('reads durations with a unit, 0 to keep forever, and per namespace overrides', () => {
    const c = loadConfig({
      RETENTION: '12h',
      RETENTION_BY_NAMESPACE: '{"acme":"30d","scratch":"90s","audit":"0","fast":"250ms","zero":0}',
      RETENTION_SWEEP_MS: '1000',
    });
    expect(c.retention).toEqual({
      defaultMs: 12 * 3600_000,
      byNamespace: { acme: 30 * 24 * 3600_000, scratch: 90_000, audit: 0, fast: 250, zero: 0 },
      sweepMs: 1000,
    });
    expect(loadConfig({ RETENTION: '0' }).retention.defaultMs).toBe(0);
  });

  it('refuses a value it cannot read, naming the variable', () => {
    expect(() => loadConfig({ RETENTION: '7' })).toThrow(/RETENTION must be a duration/);
    expect(() => loadConfig({ RETENTION: '7 days' })).toThrow(/RETENTION must be a duration/);
    expect(() => loadConfig({ RETENTION_BY_NAMESPACE: 'acme=30d' })).toThrow(
      /RETENTION_BY_NAMESPACE must be a JSON object/,
    );
    expect(() => loadConfig({ RETENTION_BY_NAMESPACE: '["30d"]' })).toThrow(
      /RETENTION_BY_NAMESPACE must be a JSON object/,
    );
    expect(() => loadConfig({ RETENTION_BY_NAMESPACE: '{"acme":-1}' })).toThrow(
      /RETENTION_BY_NAMESPACE: 'acme' must be a duration/,
    );
    expect(() => loadConfig({ RETENTION_SWEEP_MS: '10' })).toThrow(/RETENTION_SWEEP_MS/);
  });
});
