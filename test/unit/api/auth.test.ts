import express from 'express';
import request from 'supertest';
import { assertSafeBinding, requireBearerToken } from '../../../src/api/auth';
import { errorHandler } from '../../../src/api/httpError';

describe('API token', () => {
  const app = express();
  app.use('/api', requireBearerToken('s3cret'));
  app.get('/api/thing', (_request, response) => {
    response.json({ ok: true });
  });
  app.use(
    errorHandler(
      () => undefined,
      () => undefined,
    ),
  );

  it('answers 401 without the token or with a wrong one', async () => {
    const missing = await request(app).get('/api/thing');
    expect(missing.status).toBe(401);
    expect(missing.body.message).toMatch(/Authorization: Bearer/);
    expect((await request(app).get('/api/thing').set('Authorization', 'Bearer nope')).status).toBe(401);
    expect((await request(app).get('/api/thing').set('Authorization', 's3cret')).status).toBe(401);
  });

  it('lets the right token through', async () => {
    expect((await request(app).get('/api/thing').set('Authorization', 'Bearer s3cret')).body).toEqual({ ok: true });
  });

  it('refuses to bind a non-loopback address without a token', () => {
    expect(() => assertSafeBinding('0.0.0.0', undefined)).toThrow(/refusing to listen on 0.0.0.0 without API_TOKEN/);
    expect(() => assertSafeBinding('0.0.0.0', 'token')).not.toThrow();
    expect(() => assertSafeBinding('127.0.0.1', undefined)).not.toThrow();
  });
});
