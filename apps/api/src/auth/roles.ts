import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** Roles, lowest first: each includes what the ones before it may do. */
export const ROLES = ['viewer', 'submitter', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (r: unknown): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r);
export const atLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

/** The reserved namespace of super-admins (and of the ADMIN_KEY): its admins manage every namespace's keys. */
export const SYSTEM_NAMESPACE = 'system';

export const ROLE_KEY = 'yf:role';
export const PUBLIC_KEY = 'yf:public';
export const SYSTEM_ONLY_KEY = 'yf:system-only';

/** The least role a handler needs (viewer: reads; submitter: create, send, events; operator: cancel; admin: keys). */
export const Roles = (role: Role) => SetMetadata(ROLE_KEY, role);
/** Open without a key (only /health); its OpenAPI operation needs no security (see openapi.ts). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));
/** Deployment-wide data (metrics): only keys of the 'system' namespace. */
export const SystemOnly = () => SetMetadata(SYSTEM_ONLY_KEY, true);
