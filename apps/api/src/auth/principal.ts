import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_NAMESPACE } from '../common/namespace';
import type { Role } from './roles';

/** Who sends the request, as authentication found it. */
export interface Principal {
  namespace: string;
  role: Role;
  /** The key's id (undefined in development mode and for ADMIN_KEY). */
  keyId?: string;
  /** A 'system' admin (or development mode): manages every namespace's keys. */
  superAdmin: boolean;
}

export interface AuthenticatedRequest {
  namespace?: string;
  role?: Role;
  principal?: Principal;
  headers: Record<string, string | string[] | undefined>;
  /** The client address (express, after TRUST_PROXY). */
  ip?: string;
  socket?: { remoteAddress?: string };
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return req.principal ?? { namespace: req.namespace ?? DEFAULT_NAMESPACE, role: 'viewer', superAdmin: false };
});
