import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export const DEFAULT_NAMESPACE = 'default';

/** The tenant namespace of the request (set by authentication; 'default' without it). */
export const Namespace = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<{ namespace?: string }>();
  return req.namespace ?? DEFAULT_NAMESPACE;
});
