import { APP_INTERCEPTOR } from '@nestjs/core';
import { ChangeFeed } from './change-feed';
import { PublishChanges } from './publish.interceptor';
import { StreamController } from './stream.controller';

/** GET /v1/stream (server-sent events) and the api's side of the change channel. */
export const streamControllers = [StreamController];
export const streamProviders = [ChangeFeed, { provide: APP_INTERCEPTOR, useClass: PublishChanges }];
