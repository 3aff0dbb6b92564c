import { type ApiKey as StoredKey, AuthKeyStore } from '@yieldflow/store';
import type { Role } from './roles';

export { hashToken, TOKEN_PREFIX } from '@yieldflow/store';

/** What is kept of a key: never the token, only its SHA-256 and its first characters (AuthKeyStore). */
export type ApiKey = StoredKey<Role>;

export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The api's keys, in the store (AuthKeyStore has the layout). Used by the api and by the keys CLI. */
export class KeyStore extends AuthKeyStore<Role> {}
