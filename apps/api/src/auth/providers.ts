import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Config } from '@yieldflow/contracts';
import { TaskStore } from '@yieldflow/store';
import { CONFIG } from '../common/tokens';
import { AuthGuard } from './auth.guard';
import { KeyStore } from './key-store';
import { KeysService } from './keys';
import { AuthFailureLimiter, RateLimiter } from './rate-limiter';

export const authProviders: Provider[] = [
  { provide: KeyStore, inject: [TaskStore], useFactory: (s: TaskStore) => new KeyStore(s) },
  {
    provide: RateLimiter,
    inject: [KeyStore, CONFIG],
    useFactory: (k: KeyStore, c: Config) => new RateLimiter(k, c.rateLimitPerMinute),
  },
  {
    provide: AuthFailureLimiter,
    inject: [KeyStore, CONFIG],
    useFactory: (k: KeyStore, c: Config) => new AuthFailureLimiter(k, c.limits.authFailuresPerMinute),
  },
  KeysService,
  // one guard: global for controllers, and in front of Bull Board's router (queues/board.ts)
  AuthGuard,
  { provide: APP_GUARD, useExisting: AuthGuard },
];
