import { randomBytes } from 'node:crypto';
import type { Test } from 'supertest';
import type { Stack } from '../support/stack';
import { type Body, eventually } from '../support/redis';

export const newAdminKey = (): string => `yf_admin_${randomBytes(16).toString('hex')}`;

/** Requests with a bearer token. */
export function as(s: Stack, token: string) {
  const auth = (t: Test) => t.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(s.http.get(url)),
    post: (url: string) => auth(s.http.post(url)),
    delete: (url: string) => auth(s.http.delete(url)),
  };
}

/** Create a key through the api with the given admin token; returns its token. */
export async function keyFor(
  s: Stack,
  adminToken: string,
  namespace: string,
  role: string,
  name = `${namespace}-${role}`,
): Promise<string> {
  const res = await as(s, adminToken).post('/v1/keys').send({ namespace, role, name }).expect(201);
  return res.body.token as string;
}

/** Poll a task (with a token) until its status is one of `statuses`. */
export function until(s: Stack, token: string, id: string, statuses: string[], timeoutMs = 10_000): Promise<Body> {
  return eventually(async () => {
    const res = await as(s, token).get(`/v1/tasks/${id}`);
    return statuses.includes(res.body.status) ? res.body : undefined;
  }, timeoutMs);
}
