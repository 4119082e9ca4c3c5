/**
 * PostgreSQL: the connection pool, the versioned schema migrations, and the repository of
 * `backtest_results` rows (DESIGN.md section 7; seeds/result-storage-schema.ko.md 1.1).
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
  const pool = new pg.Pool({ connectionString });
  pool.on('error', onIdleError);
  return pool;
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

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

/** The statuses the `status_valid` constraint allows; a cancelled task is `failed` with metadata `cancelled: true`. */
export type BacktestResultStatus = 'completed' | 'failed' | 'running';

/** One `backtest_results` row: dates as 'YYYY-MM-DD', timestamps as ISO 8601 UTC strings with microseconds. */
export interface BacktestResultRow {
  task_id: string;
  strategy: string;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string | null;
  status: BacktestResultStatus;
  parquet_path: string;
  file_size: number | null;
  record_count: number | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export type RunningBacktestResult = Pick<
  BacktestResultRow,
  'task_id' | 'strategy' | 'symbols' | 'start_date' | 'end_date' | 'parquet_path'
> & { timeframe: string; metadata?: Record<string, unknown> };

export interface FinishedBacktestResult {
  task_id: string;
  status: Exclude<BacktestResultStatus, 'running'>;
  file_size: number;
  record_count: number;
  /** Merged into the stored metadata, key by key (e.g. `{ cancelled: true }`, `expires_at`). */
  metadata?: Record<string, unknown>;
}

export interface BacktestResultQuery {
  strategy?: string;
  status?: BacktestResultStatus;
  /** Rows whose `symbols` contain this one (served by the GIN index). */
  symbol?: string;
  /** true: only cancelled tasks (metadata `cancelled: true`); false: none of them. */
  cancelled?: boolean;
  created_after?: string | Date;
  limit: number;
  offset?: number;
}

const { builtins } = pg.types;

/**
 * Parsers applied to every query of the repository (not to the pool, so any pool works): DATE stays
 * the text PostgreSQL sent, because the default parser makes a local-midnight Date that shifts the
 * day across time zones; BIGINT becomes a number (sizes are far below 2^53).
 */
const rowTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === builtins.DATE) return (value: string) => value;
    if (oid === builtins.INT8) return Number;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/**
 * Timestamps are formatted by PostgreSQL as ISO 8601 UTC with all six fractional digits: a JS Date
 * would drop the microseconds, and a truncated `created_at` used as `created_after` would match its own row.
 */
const isoTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${column}`;

const ROW_COLUMNS = `task_id, strategy, symbols, start_date, end_date, timeframe, status, parquet_path,
  file_size, record_count, COALESCE(metadata, '{}'::jsonb) AS metadata,
  ${isoTimestamp('created_at')}, ${isoTimestamp('updated_at')}`;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class BacktestResultsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Records a task as running; returns false (changing nothing) when the task already has a row. */
  async insertRunning(result: RunningBacktestResult): Promise<boolean> {
    const inserted = await this.query(
      `INSERT INTO backtest_results
         (task_id, strategy, symbols, start_date, end_date, timeframe, status, parquet_path, metadata)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, 'running', $7, $8::jsonb)
       ON CONFLICT (task_id) DO NOTHING`,
      [
        result.task_id,
        result.strategy,
        JSON.stringify(result.symbols),
        result.start_date,
        result.end_date,
        result.timeframe,
        result.parquet_path,
        JSON.stringify(result.metadata ?? {}),
      ],
    );
    return inserted.rowCount === 1;
  }

  /** Sets the final status and sizes and merges `metadata` into the stored one; repeating it changes nothing more. */
  markFinished(result: FinishedBacktestResult): Promise<BacktestResultRow | undefined> {
    return this.oneByTaskId(
      `UPDATE backtest_results
       SET status = $2, file_size = $3, record_count = $4, metadata = COALESCE(metadata, '{}'::jsonb) || $5::jsonb
       WHERE task_id = $1 RETURNING ${ROW_COLUMNS}`,
      result.task_id,
      [result.status, result.file_size, result.record_count, JSON.stringify(result.metadata ?? {})],
    );
  }

  get(taskId: string): Promise<BacktestResultRow | undefined> {
    return this.oneByTaskId(`SELECT ${ROW_COLUMNS} FROM backtest_results WHERE task_id = $1`, taskId);
  }

  /** A page of rows, newest first, and the number of rows matching the filters. */
  async list(query: BacktestResultQuery): Promise<{ rows: BacktestResultRow[]; total: number }> {
    const values: unknown[] = [];
    const conditions: string[] = [];
    const where = (condition: (parameter: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(condition(`$${values.length}`));
    };
    if (query.strategy !== undefined) where((p) => `strategy = ${p}`, query.strategy);
    if (query.status !== undefined) where((p) => `status = ${p}`, query.status);
    if (query.symbol !== undefined) where((p) => `symbols @> ${p}::jsonb`, JSON.stringify([query.symbol]));
    if (query.cancelled !== undefined) {
      const comparison = query.cancelled ? '=' : 'IS DISTINCT FROM';
      conditions.push(`metadata->'cancelled' ${comparison} 'true'::jsonb`);
    }
    if (query.created_after !== undefined) where((p) => `created_at > ${p}`, query.created_after);
    const whereClause = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const paging = `LIMIT $${values.length + 1} OFFSET $${values.length + 2}`;

    const [page, count] = await Promise.all([
      this.query(`SELECT ${ROW_COLUMNS} FROM backtest_results ${whereClause} ORDER BY created_at DESC, task_id DESC ${paging}`, [
        ...values,
        query.limit,
        query.offset ?? 0,
      ]),
      this.query(`SELECT count(*) AS total FROM backtest_results ${whereClause}`, values),
    ]);
    return { rows: page.rows, total: count.rows[0].total };
  }

  /** Stores `pinned` in the metadata; a pinned result is never listed as expired. */
  setPinned(taskId: string, pinned: boolean): Promise<BacktestResultRow | undefined> {
    return this.oneByTaskId(
      `UPDATE backtest_results
       SET metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('pinned', $2::boolean)
       WHERE task_id = $1 RETURNING ${ROW_COLUMNS}`,
      taskId,
      [pinned],
    );
  }

  /** Deletes the row and returns it (its `parquet_path` says which files to remove). */
  delete(taskId: string): Promise<BacktestResultRow | undefined> {
    return this.oneByTaskId(`DELETE FROM backtest_results WHERE task_id = $1 RETURNING ${ROW_COLUMNS}`, taskId);
  }

  /** Rows whose metadata `expires_at` is before `now` and that are not pinned, oldest expiry first. */
  async listExpired(now: Date): Promise<BacktestResultRow[]> {
    const expired = await this.query(
      `SELECT ${ROW_COLUMNS} FROM backtest_results
       WHERE (metadata->>'expires_at')::timestamptz < $1
         AND metadata->'pinned' IS DISTINCT FROM 'true'::jsonb
       ORDER BY (metadata->>'expires_at')::timestamptz`,
      [now],
    );
    return expired.rows;
  }

  private async oneByTaskId(text: string, taskId: string, moreValues: unknown[] = []): Promise<BacktestResultRow | undefined> {
    // Not a UUID, so no row can match; PostgreSQL would reject the value instead of finding nothing.
    if (!UUID_PATTERN.test(taskId)) return undefined;
    const { rows } = await this.query(text, [taskId, ...moreValues]);
    return rows[0];
  }

  private query(text: string, values: unknown[]) {
    return this.pool.query({ text, values, types: rowTypes });
  }
}
