import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type Redis from 'ioredis';
import type { Config } from '@yieldflow/contracts';
import { CONFIG, REDIS } from '../common/tokens';
import { AuthGuard } from './auth.guard';
import { KeyStore } from './key-store';
import { KeysService } from './keys';
import { AuthFailureLimiter, RateLimiter } from './rate-limiter';

export const authProviders: Provider[] = [
  { provide: KeyStore, inject: [REDIS, CONFIG], useFactory: (r: Redis, c: Config) => new KeyStore(r, c.prefix) },
  {
    provide: RateLimiter,
    inject: [REDIS, CONFIG],
    useFactory: (r: Redis, c: Config) => new RateLimiter(r, c.prefix, c.rateLimitPerMinute),
  },
  {
    provide: AuthFailureLimiter,
    inject: [REDIS, CONFIG],
    useFactory: (r: Redis, c: Config) => new AuthFailureLimiter(r, c.prefix, c.limits.authFailuresPerMinute),
  },
  KeysService,
  // one guard: global for controllers, and in front of Bull Board's router (queues/board.ts)
  AuthGuard,
  { provide: APP_GUARD, useExisting: AuthGuard },
];
