import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Config } from '@yieldflow/contracts';
import { DEFAULT_NAMESPACE } from '../common/namespace';
import { CONFIG } from '../common/tokens';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from './errors';
import { hashToken, KeyStore } from './key-store';
import type { AuthenticatedRequest, Principal } from './principal';
import { AuthFailureLimiter, RateLimiter } from './rate-limiter';
import { atLeast, PUBLIC_KEY, type Role, ROLE_KEY, SYSTEM_NAMESPACE, SYSTEM_ONLY_KEY } from './roles';

/**
 * Every request but those to @Public() handlers: `Authorization: Bearer <key>` → the key's namespace and
 * role on the request (req.namespace, req.role, req.principal), the key's rate limit, then the handler's
 * @Roles() (a handler without one needs admin). 401 without a valid key, 403 for too low a role, 429 over
 * the limit. Failed authentications are counted per client address (req.ip): past
 * LIMIT_AUTH_FAILURES_PER_MINUTE they answer 429 instead of 401; a valid key from that address still
 * works, so a shared address is not locked out by someone else's failures. In development mode (AUTH=off,
 * loopback only) every request is namespace 'default', admin.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('auth');
  private readonly adminHash?: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeyStore,
    private readonly limiter: RateLimiter,
    private readonly failures: AuthFailureLimiter,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    if (config.auth.adminKey) this.adminHash = Buffer.from(hashToken(config.auth.adminKey), 'hex');
  }

  onModuleInit(): void {
    if (!this.config.auth.enabled) {
      this.logger.warn(
        `AUTHENTICATION IS OFF (development mode): every request acts as an admin of namespace '${DEFAULT_NAMESPACE}'. ` +
          `Allowed only on loopback (HOST=${this.config.host}); set ADMIN_KEY or AUTH=on to require API keys.`,
      );
    }
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.config.auth.enabled
      ? await this.authenticateCounted(req)
      : { namespace: DEFAULT_NAMESPACE, role: 'admin' as Role, superAdmin: true };
    req.principal = principal;
    req.namespace = principal.namespace;
    req.role = principal.role;
    if (this.config.auth.enabled) {
      const wait = await this.limiter.take(principal.keyId ?? 'admin-key');
      if (wait !== null)
        throw new RateLimitedError(
          `this key made more than ${this.limiter.limit} requests this minute (RATE_LIMIT_PER_MINUTE); retry in ${wait} s`,
          wait,
        );
    }
    const need = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'admin';
    if (!atLeast(principal.role, need))
      throw new ForbiddenError(`this endpoint needs the ${need} role or higher; the key has ${principal.role}`);
    if (
      this.reflector.getAllAndOverride<boolean>(SYSTEM_ONLY_KEY, targets) &&
      this.config.auth.enabled &&
      principal.namespace !== SYSTEM_NAMESPACE
    ) {
      throw new ForbiddenError(
        `this endpoint reports on the whole deployment: it needs a key of namespace '${SYSTEM_NAMESPACE}'`,
      );
    }
    return true;
  }

  /** authenticate(), each failure counted against the client address. */
  private async authenticateCounted(req: AuthenticatedRequest): Promise<Principal> {
    try {
      return await this.authenticate(req);
    } catch (err) {
      if (!(err instanceof UnauthorizedError)) throw err;
      const wait = await this.failures.fail(req.ip ?? req.socket?.remoteAddress ?? 'unknown');
      if (wait !== null) {
        throw new RateLimitedError(
          `this address made more than ${this.failures.limit} failed authentications this minute (LIMIT_AUTH_FAILURES_PER_MINUTE); retry in ${wait} s`,
          wait,
        );
      }
      throw err;
    }
  }

  private async authenticate(req: AuthenticatedRequest): Promise<Principal> {
    const header = req.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw new UnauthorizedError('an API key is required: send Authorization: Bearer <key>');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    if (!m) throw new UnauthorizedError('the Authorization header must be: Bearer <key>');
    const token = m[1];
    if (this.adminHash) {
      const given = Buffer.from(hashToken(token), 'hex');
      if (timingSafeEqual(given, this.adminHash))
        return { namespace: SYSTEM_NAMESPACE, role: 'admin', superAdmin: true };
    }
    const key = await this.keys.find(token);
    if (!key) throw new UnauthorizedError('the API key is not valid (unknown or revoked)');
    return {
      namespace: key.namespace,
      role: key.role,
      keyId: key.id,
      superAdmin: key.namespace === SYSTEM_NAMESPACE && key.role === 'admin',
    };
  }
}
