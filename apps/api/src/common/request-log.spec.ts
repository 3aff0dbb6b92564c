import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTime } from 'pino-http';
import { requestLogLevel } from './request-log';

const res = (statusCode: number, tookMs: number) =>
  ({ statusCode, [startTime]: Date.now() - tookMs }) as unknown as ServerResponse;
const req = {} as IncomingMessage;

describe('the level of a request log line', () => {
  const level = requestLogLevel(1000);
  it('is debug for a quick success, so a line per request costs nothing at info', () => {
    expect(level(req, res(200, 5))).toBe('debug');
    expect(level(req, res(201, 5))).toBe('debug');
  });
  it('is info for a client error, warn for a slow request, error for a server error', () => {
    expect(level(req, res(404, 5))).toBe('info');
    expect(level(req, res(200, 1500))).toBe('warn');
    expect(level(req, res(503, 5))).toBe('error');
    expect(level(req, res(200, 5), new Error('boom'))).toBe('error');
  });
});
