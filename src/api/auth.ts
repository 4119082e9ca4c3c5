/** Bearer-token auth for /api when API_TOKEN is set (DESIGN.md section 3). */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './httpError';

export function requireBearerToken(token: string): RequestHandler {
  const expected = Buffer.from(`Bearer ${token}`);
  return (request, _response, next) => {
    const given = Buffer.from(request.get('authorization') ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    next(new HttpError(401, 'unauthorized', 'this API needs "Authorization: Bearer <API_TOKEN>"'));
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Binding beyond loopback without a token would expose every backtest to the network: refuse. */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (!token && !LOOPBACK_HOSTS.has(host)) {
    throw new Error(`refusing to listen on ${host} without API_TOKEN: set API_TOKEN or bind API_HOST=127.0.0.1`);
  }
}
