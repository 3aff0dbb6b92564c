import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * Free-form JSON (a task's input, a sent value, an event's data) kept exactly as sent. The ValidationPipe
 * deletes every `__proto__`, `constructor` and `prototype` key of a body, in place, and class-transformer's
 * copy leaves out every key that names an `Object.prototype` member (`valueOf`, `toString`, …); so a body
 * that may hold such a key (or a \u escape that could spell one) is parsed a second time, untouched, while it
 * is read (see `keepAsSent`), and the handler takes its free-form fields from there.
 */
const MAY_HOLD = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', '\\u'];

export interface SentRequest {
  sentBody?: Record<string, unknown>;
}

/** Called from the JSON body parser's verify hook with the raw body. */
export function keepAsSent(req: SentRequest, buf: Buffer): void {
  if (!MAY_HOLD.some((s) => buf.includes(s))) return;
  try {
    const parsed = JSON.parse(buf.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      req.sentBody = parsed as Record<string, unknown>;
  } catch {
    // malformed: the body parser answers 400
  }
}

/** The body as sent, when it may differ from the validated one (else undefined). */
export const Sent = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Record<string, unknown> | undefined =>
    ctx.switchToHttp().getRequest<SentRequest>().sentBody,
);

/** `fields` of `target` put back as they were in `sent` (the validated copy lost keys named like prototype members). */
export function asSent<T extends object>(target: T, sent: unknown, fields: (keyof T & string)[]): T {
  if (!sent || typeof sent !== 'object') return target;
  for (const f of fields)
    if (Object.prototype.hasOwnProperty.call(sent, f))
      (target as Record<string, unknown>)[f] = (sent as Record<string, unknown>)[f];
  return target;
}
