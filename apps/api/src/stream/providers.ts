import { ApiChanges } from './api-changes';
import { ChangeFeed } from './change-feed';
import { StreamController } from './stream.controller';

/** GET /v1/stream (server-sent events) and the api's side of the change channel. */
export const streamControllers = [StreamController];
export const streamProviders = [ChangeFeed, ApiChanges];
