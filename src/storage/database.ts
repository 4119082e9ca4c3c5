/**
 * PostgreSQL plumbing: the connection pool, the versioned schema migrations, and telling an outage
 * (retry later, answer 503) from a real error. The repositories live beside this file.
 */
import pg from 'pg';
import { migrations } from './migrations';

/**
 * A pool whose idle-connection errors (a server restart or shutdown) are reported, not thrown:
 * pg emits them as 'error' events, which crash the process when nobody listens.
 */
export function createPool(
  connectionString: string,
  onIdleError: (error: Error) => void = (error) => console.warn(`idle PostgreSQL connection lost: ${error.message}`),
): pg.Pool {
  // A short connect timeout: while PostgreSQL is down, callers learn it in about a second (the API answers
  // 503 at once, activities retry), and a new connection is tried on the next call once it is back.
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  pool.on('error', onIdleError);
  return pool;
}

const CONNECT_TIMEOUT_MS = 1500;

/** PostgreSQL could not be reached or dropped the connection: a retry later can succeed. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** SQLSTATE class 08 (connection exception), shutdown and start-up states, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-4]|53300)$/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/;

/** Whether an error from pg means the database is unreachable (as opposed to a bad query or a constraint). */
export function isDatabaseOutage(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (UNAVAILABLE_NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseOutage);
  return UNAVAILABLE_MESSAGES.test(message ?? '');
}

/** Runs a database call, reporting an outage as DatabaseUnavailableError (other errors pass unchanged). */
export async function whileDatabaseAnswers<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseOutage(error) && !(error instanceof DatabaseUnavailableError)) {
      throw new DatabaseUnavailableError(`PostgreSQL is unavailable: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * The WHERE clause of a filtered, paged listing, built one filter at a time with numbered parameters, and the
 * LIMIT/OFFSET that follow them: the repositories' `list` queries share it.
 */
export class ListFilter {
  /** The filters' parameter values, in order ($1, $2, ...). */
  readonly values: unknown[] = [];
  private readonly conditions: string[] = [];

  /** A condition on the next parameter, which holds `value`. */
  where(condition: (parameter: string) => string, value: unknown): void {
    this.values.push(value);
    this.conditions.push(condition(`$${this.values.length}`));
  }

  /** A condition without a parameter. */
  whereLiteral(condition: string): void {
    this.conditions.push(condition);
  }

  get whereClause(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }

  /** LIMIT and OFFSET as the two parameters after the filters', and all the values a page query takes. */
  page(limit: number, offset: number): { clause: string; values: unknown[] } {
    const count = this.values.length;
    return { clause: `LIMIT $${count + 1} OFFSET $${count + 2}`, values: [...this.values, limit, offset] };
  }
}

/** An arbitrary constant shared by every process of this application: whoever holds it migrates. */
const MIGRATION_LOCK_KEY = 7_370_283_631;

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction under
 * a transaction-scoped advisory lock, so processes starting together apply each one exactly once.
 * Returns the versions this call applied.
 */
export async function runMigrations(pool: pg.Pool): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
      await client.query(CREATE_SCHEMA_MIGRATIONS);
      const recorded = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (recorded.rowCount) return false;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // the original error is the one to report
    throw error;
  } finally {
    client.release();
  }
}
