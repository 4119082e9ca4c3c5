/**
 * The `backtest_results` table (DESIGN.md section 7; seeds/result-storage-schema.ko.md 1.1): one row per
 * task, its typed metadata, and the one rule that maps a stored row to the status users see.
 */
import pg from 'pg';
import type { SymbolSummary } from '../engine/types';
import { ListFilter, whileDatabaseAnswers } from './database';
import type { Manifest } from './manifest';

/** The statuses the seed's `status_valid` constraint allows. */
export type StoredStatus = 'completed' | 'failed' | 'running';

/** What users see: a cancelled task is stored as `failed` with `metadata.cancelled` (the constraint is the original one). */
export type RowStatus = StoredStatus | 'cancelled';

/** The row's `metadata` JSONB. Every key is optional: rows of older versions and migrated rows lack some. */
export interface BacktestResultMetadata {
  schema_version?: string;
  compression?: string;
  storage_mode?: string;
  /** The request's parameters, defaults applied. */
  params?: Record<string, unknown>;
  pinned?: boolean;
  /** A failed row that was cancelled by request. */
  cancelled?: boolean;
  error?: string | null;
  finished_at?: string;
  /** When cleanup may delete the task; absent: never (migrated rows). */
  expires_at?: string;
  summary?: Manifest['summary'];
  symbol_summaries?: Record<string, SymbolSummary>;
  failed_symbols?: { symbol: string; error?: string }[];
  /** Set on rows imported from the predecessor's result.json. */
  migrated_from?: string;
  migrated_at?: string;
  legacy_version?: string | null;
  legacy_run_id?: string | null;
}

/** One `backtest_results` row: dates as 'YYYY-MM-DD', timestamps as ISO 8601 UTC strings with microseconds. */
export interface BacktestResultRow {
  task_id: string;
  strategy: string;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string | null;
  status: StoredStatus;
  parquet_path: string;
  file_size: number | null;
  record_count: number | null;
  metadata: BacktestResultMetadata;
  created_at: string;
  updated_at: string;
}

/** The status a user sees for a row. */
export function rowStatus(row: Pick<BacktestResultRow, 'status' | 'metadata'>): RowStatus {
  return row.status === 'failed' && row.metadata.cancelled === true ? 'cancelled' : row.status;
}

/** The stored status and metadata flag of a status a user sees (the inverse of rowStatus). */
function storedForm(status: RowStatus): { status: StoredStatus; cancelled: boolean } {
  return status === 'cancelled' ? { status: 'failed', cancelled: true } : { status, cancelled: false };
}

/** The columns a task's row is created with. */
export type TaskRowIdentity = Pick<BacktestResultRow, 'task_id' | 'strategy' | 'symbols' | 'start_date' | 'end_date' | 'parquet_path'> & {
  timeframe: string;
};

export type RunningBacktestResult = TaskRowIdentity & { metadata?: BacktestResultMetadata };

export interface FinishedBacktestResult extends TaskRowIdentity {
  status: Exclude<RowStatus, 'running'>;
  file_size: number;
  record_count: number;
  /** Merged into the stored metadata, key by key. */
  metadata?: BacktestResultMetadata;
}

export interface BacktestResultQuery {
  strategy?: string;
  status?: RowStatus;
  /** Rows whose `symbols` contain this one (served by the GIN index). */
  symbol?: string;
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
export const rowTypes: pg.CustomTypesConfig = {
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
export const isoTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${column}`;

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

  /**
   * Records a task's end state: updates its row, or creates it when the task never got one (its start
   * could not be recorded). Metadata is merged key by key; repeating the call changes nothing more.
   */
  async recordFinished(result: FinishedBacktestResult): Promise<BacktestResultRow> {
    const stored = storedForm(result.status);
    const metadata = { ...result.metadata, ...(stored.cancelled ? { cancelled: true } : {}) };
    const { rows } = await this.query(
      `INSERT INTO backtest_results
         (task_id, strategy, symbols, start_date, end_date, timeframe, status, parquet_path, file_size, record_count, metadata)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
       ON CONFLICT (task_id) DO UPDATE
       SET status = EXCLUDED.status, file_size = EXCLUDED.file_size, record_count = EXCLUDED.record_count,
           metadata = COALESCE(backtest_results.metadata, '{}'::jsonb) || EXCLUDED.metadata
       RETURNING ${ROW_COLUMNS}`,
      [
        result.task_id,
        result.strategy,
        JSON.stringify(result.symbols),
        result.start_date,
        result.end_date,
        result.timeframe,
        stored.status,
        result.parquet_path,
        result.file_size,
        result.record_count,
        JSON.stringify(metadata),
      ],
    );
    return rows[0];
  }

  get(taskId: string): Promise<BacktestResultRow | undefined> {
    return this.oneByTaskId(`SELECT ${ROW_COLUMNS} FROM backtest_results WHERE task_id = $1`, taskId);
  }

  /** A page of rows, newest first, and the number of rows matching the filters. */
  async list(query: BacktestResultQuery): Promise<{ rows: BacktestResultRow[]; total: number }> {
    const filter = new ListFilter();
    if (query.strategy !== undefined) filter.where((p) => `strategy = ${p}`, query.strategy);
    if (query.status !== undefined) {
      const stored = storedForm(query.status);
      filter.where((p) => `status = ${p}`, stored.status);
      if (stored.status === 'failed') {
        filter.whereLiteral(`metadata->'cancelled' ${stored.cancelled ? '=' : 'IS DISTINCT FROM'} 'true'::jsonb`);
      }
    }
    if (query.symbol !== undefined) filter.where((p) => `symbols @> ${p}::jsonb`, JSON.stringify([query.symbol]));
    if (query.created_after !== undefined) filter.where((p) => `created_at > ${p}`, query.created_after);
    const paging = filter.page(query.limit, query.offset ?? 0);

    const [page, count] = await Promise.all([
      this.query(
        `SELECT ${ROW_COLUMNS} FROM backtest_results ${filter.whereClause} ORDER BY created_at DESC, task_id DESC ${paging.clause}`,
        paging.values,
      ),
      this.query(`SELECT count(*) AS total FROM backtest_results ${filter.whereClause}`, filter.values),
    ]);
    return { rows: page.rows, total: count.rows[0].total };
  }

  /** Rows by the status users see, for the metrics. */
  async countByStatus(): Promise<Record<RowStatus, number>> {
    const { rows } = await this.query(
      `SELECT status, metadata->'cancelled' = 'true'::jsonb AS cancelled, count(*) AS count FROM backtest_results GROUP BY 1, 2`,
      [],
    );
    const counts: Record<RowStatus, number> = { running: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[rowStatus({ status: row.status, metadata: { cancelled: row.cancelled === true } })] += row.count;
    return counts;
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

  /** Which of these task ids have a row. */
  async existingTaskIds(taskIds: string[]): Promise<Set<string>> {
    const valid = taskIds.filter((taskId) => UUID_PATTERN.test(taskId));
    if (valid.length === 0) return new Set();
    const { rows } = await this.query('SELECT task_id::text AS task_id FROM backtest_results WHERE task_id = ANY($1::uuid[])', [valid]);
    return new Set(rows.map((row) => row.task_id));
  }

  private async oneByTaskId(text: string, taskId: string, moreValues: unknown[] = []): Promise<BacktestResultRow | undefined> {
    // Not a UUID, so no row can match; PostgreSQL would reject the value instead of finding nothing.
    if (!UUID_PATTERN.test(taskId)) return undefined;
    const { rows } = await this.query(text, [taskId, ...moreValues]);
    return rows[0];
  }

  private query(text: string, values: unknown[]) {
    return whileDatabaseAnswers(() => this.pool.query({ text, values, types: rowTypes }));
  }
}
