/**
 * PostgreSQL over TLS is configured in DATABASE_URL alone (docs/operations.md): pg reads `sslmode`,
 * `sslrootcert`, `sslcert` and `sslkey` from the connection string of the pool's clients.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPool } from '../../../src/storage/database';

/** The TLS settings a client of the pool would connect with. */
async function tlsOf(databaseUrl: string): Promise<unknown> {
  const pool = createPool(databaseUrl);
  try {
    const client = new pg.Client(pool.options) as unknown as { connectionParameters: { ssl: unknown } };
    return client.connectionParameters.ssl;
  } finally {
    await pool.end();
  }
}

describe('DATABASE_URL with sslmode', () => {
  const ca = join(mkdtempSync(join(tmpdir(), 'pg-tls-')), 'ca.pem');
  writeFileSync(ca, 'CA CERTIFICATE');

  it('connects without TLS by default and with sslmode=disable', async () => {
    expect(await tlsOf('postgres://u:p@db.example:5432/backtests')).toBe(false);
    expect(await tlsOf('postgres://u:p@db.example:5432/backtests?sslmode=disable')).toBe(false);
  });

  it('verifies the server certificate with sslmode=verify-full, against sslrootcert when given', async () => {
    expect(await tlsOf('postgres://u:p@db.example:5432/backtests?sslmode=verify-full')).toEqual({});
    expect(await tlsOf(`postgres://u:p@db.example:5432/backtests?sslmode=verify-full&sslrootcert=${ca}`)).toEqual({ ca: 'CA CERTIFICATE' });
  });

  it('encrypts without verifying only when asked for libpq semantics', async () => {
    expect(await tlsOf('postgres://u:p@db.example:5432/backtests?uselibpqcompat=true&sslmode=require')).toEqual({
      rejectUnauthorized: false,
    });
  });
});
