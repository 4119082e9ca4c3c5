/** The `parameter_sweeps` table (DESIGN.md section 12): one row per sweep, its status, best combination and expiry. */
import type pg from 'pg';
import type { SweepBest, SweepStatus } from '../contracts/sweep';
import { isoTimestamp, rowTypes } from './backtestResults';
import { ListFilter, whileDatabaseAnswers } from './database';

/** The row's `metadata` JSONB. */
export interface ParameterSweepMetadata {
  /** The fixed parameters, defaults applied. */
  params?: Record<string, unknown>;
  search?: unknown;
  walk_forward?: unknown;
  materialize_top?: number;
  error?: string | null;
  finished_at?: string;
  summary?: Record<string, unknown>;
  materialized_tasks?: string[];
}

export interface ParameterSweepRow {
  sweep_id: string;
  status: SweepStatus;
  strategy: string;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string;
  grid: Record<string, unknown[]>;
  objective: Record<string, unknown>;
  combinations: number;
  evaluations: number;
  best: SweepBest | null;
  result_path: string | null;
  pinned: boolean;
  expires_at: string | null;
  metadata: ParameterSweepMetadata;
  created_at: string;
  updated_at: string;
}

/** The columns a sweep's row is created with. */
export type SweepRowIdentity = Pick<
  ParameterSweepRow,
  'sweep_id' | 'strategy' | 'symbols' | 'start_date' | 'end_date' | 'timeframe' | 'grid' | 'objective' | 'combinations' | 'evaluations'
> & { metadata?: ParameterSweepMetadata };

export interface FinishedSweep extends SweepRowIdentity {
  status: Exclude<SweepStatus, 'queued' | 'running'>;
  best: SweepBest | null;
  result_path: string | null;
  expires_at: string;
}

export interface SweepQuery {
  strategy?: string;
  status?: SweepStatus;
  symbol?: string;
  limit: number;
  offset?: number;
}

const ROW_COLUMNS = `sweep_id, status, strategy, symbols, start_date, end_date, timeframe, grid, objective, combinations,
  evaluations, best, result_path, pinned, ${isoTimestamp('expires_at')}, metadata, ${isoTimestamp('created_at')}, ${isoTimestamp('updated_at')}`;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const identityValues = (sweep: SweepRowIdentity) => [
  sweep.sweep_id,
  sweep.strategy,
  sweep.symbols,
  sweep.start_date,
  sweep.end_date,
  sweep.timeframe,
  JSON.stringify(sweep.grid),
  JSON.stringify(sweep.objective),
  sweep.combinations,
  sweep.evaluations,
  JSON.stringify(sweep.metadata ?? {}),
];

const IDENTITY_COLUMNS =
  'sweep_id, strategy, symbols, start_date, end_date, timeframe, grid, objective, combinations, evaluations, metadata';
const IDENTITY_PLACEHOLDERS = '$1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11::jsonb';

export class ParameterSweepsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Records a sweep as running; an existing row is left as it is (a retried start). */
  async insertRunning(sweep: SweepRowIdentity): Promise<boolean> {
    const inserted = await this.query(
      `INSERT INTO parameter_sweeps (${IDENTITY_COLUMNS}, status) VALUES (${IDENTITY_PLACEHOLDERS}, 'running') ON CONFLICT (sweep_id) DO NOTHING`,
      identityValues(sweep),
    );
    return inserted.rowCount === 1;
  }

  /** Records a sweep's end state, creating the row if its start was never recorded; idempotent. */
  async recordFinished(sweep: FinishedSweep): Promise<ParameterSweepRow> {
    const { rows } = await this.query(
      `INSERT INTO parameter_sweeps (${IDENTITY_COLUMNS}, status, best, result_path, expires_at)
       VALUES (${IDENTITY_PLACEHOLDERS}, $12, $13::jsonb, $14, $15)
       ON CONFLICT (sweep_id) DO UPDATE
       SET status = EXCLUDED.status, best = EXCLUDED.best, result_path = EXCLUDED.result_path, expires_at = EXCLUDED.expires_at,
           metadata = parameter_sweeps.metadata || EXCLUDED.metadata
       RETURNING ${ROW_COLUMNS}`,
      [...identityValues(sweep), sweep.status, JSON.stringify(sweep.best), sweep.result_path, sweep.expires_at],
    );
    return rows[0];
  }

  get(sweepId: string): Promise<ParameterSweepRow | undefined> {
    return this.oneById(`SELECT ${ROW_COLUMNS} FROM parameter_sweeps WHERE sweep_id = $1`, sweepId);
  }

  /** A page of rows, newest first, and the number of rows matching the filters. */
  async list(query: SweepQuery): Promise<{ rows: ParameterSweepRow[]; total: number }> {
    const filter = new ListFilter();
    if (query.strategy !== undefined) filter.where((p) => `strategy = ${p}`, query.strategy);
    if (query.status !== undefined) filter.where((p) => `status = ${p}`, query.status);
    if (query.symbol !== undefined) filter.where((p) => `symbols @> ARRAY[${p}]::text[]`, query.symbol);
    const paging = filter.page(query.limit, query.offset ?? 0);
    const [page, count] = await Promise.all([
      this.query(
        `SELECT ${ROW_COLUMNS} FROM parameter_sweeps ${filter.whereClause} ORDER BY created_at DESC, sweep_id DESC ${paging.clause}`,
        paging.values,
      ),
      this.query(`SELECT count(*) AS total FROM parameter_sweeps ${filter.whereClause}`, filter.values),
    ]);
    return { rows: page.rows, total: count.rows[0].total };
  }

  setPinned(sweepId: string, pinned: boolean): Promise<ParameterSweepRow | undefined> {
    return this.oneById(`UPDATE parameter_sweeps SET pinned = $2 WHERE sweep_id = $1 RETURNING ${ROW_COLUMNS}`, sweepId, [pinned]);
  }

  delete(sweepId: string): Promise<ParameterSweepRow | undefined> {
    return this.oneById(`DELETE FROM parameter_sweeps WHERE sweep_id = $1 RETURNING ${ROW_COLUMNS}`, sweepId);
  }

  /** Unpinned sweeps that expired before `now`, oldest expiry first. */
  async listExpired(now: Date): Promise<ParameterSweepRow[]> {
    const { rows } = await this.query(
      `SELECT ${ROW_COLUMNS} FROM parameter_sweeps WHERE expires_at < $1 AND NOT pinned ORDER BY expires_at`,
      [now],
    );
    return rows;
  }

  /** Which of these sweep ids have a row. */
  async existingIds(sweepIds: string[]): Promise<Set<string>> {
    const valid = sweepIds.filter((id) => UUID_PATTERN.test(id));
    if (valid.length === 0) return new Set();
    const { rows } = await this.query('SELECT sweep_id::text AS sweep_id FROM parameter_sweeps WHERE sweep_id = ANY($1::uuid[])', [valid]);
    return new Set(rows.map((row) => row.sweep_id));
  }

  private async oneById(text: string, sweepId: string, moreValues: unknown[] = []): Promise<ParameterSweepRow | undefined> {
    if (!UUID_PATTERN.test(sweepId)) return undefined;
    const { rows } = await this.query(text, [sweepId, ...moreValues]);
    return rows[0];
  }

  private query(text: string, values: unknown[]) {
    return whileDatabaseAnswers(() => this.pool.query({ text, values, types: rowTypes }));
  }
}
