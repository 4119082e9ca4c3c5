/**
 * What travels through Temporal for a parameter sweep (DESIGN.md section 12): the workflow input, chunk
 * references and their small results, the progress query. The bulk (rows, curves, the plan) stays in the
 * store under `sweeps/<sweep_id>/`, so a 100,000-combination sweep keeps a small history.
 */
import type { SweepRequest } from './sweepRequest';

export const sweepStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type SweepStatus = (typeof sweepStatuses)[number];

export interface SweepWorkflowInput {
  sweep_id: string;
  request: SweepRequest;
  /** Combinations evaluated per symbol and segment (the grid's size, or the random sample's). */
  combinations: number;
  /** combinations x symbols x max(1, folds). */
  evaluations: number;
  /** Combinations per chunk activity. */
  chunk_size: number;
  /** Chunk activities in flight at once, across all workers. */
  max_parallel_chunks: number;
  /** For the materialized backtests: per-symbol activities in flight per task. */
  max_parallel_symbols: number;
  /**
   * The version of the strategy the API validated the request against (DESIGN.md section 14): a worker with another
   * version refuses the sweep, and the materialized backtests carry it too. Absent in sweeps from before versions.
   */
  strategy_version?: string;
}

/** What the planning activity found: each symbol's candles, and its folds when walk-forward is asked for. */
export interface SweepPlanSummary {
  symbols: { symbol: string; candles: number }[];
  /** Folds per symbol (0 without walk-forward). */
  folds: number;
}

/** One chunk: positions [first, end) of the sweep's combo-id list, on one symbol's whole range or one fold's in-sample part. */
export interface SweepChunkInput {
  sweep_id: string;
  symbol: string;
  /** null: the whole range; k: fold k's in-sample part. */
  fold: number | null;
  first: number;
  end: number;
}

/** A row's objective and closed trades, enough to rank it. */
export interface RankedCombo {
  combo_id: number;
  /** null when the metric is undefined for this row (e.g. Sharpe without returns). */
  objective: number | null;
  closed_trades: number;
  /** The row's total return in % (total_pnl_pct). */
  return_pct: number;
}

/**
 * The better of two rows by the ranking rules of DESIGN.md section 12: rows with at least `min_trades` closed
 * trades first, then the objective in its direction (an undefined objective last), then the lower combo id.
 */
export function betterCombo(a: RankedCombo, b: RankedCombo, objective: { direction: 'max' | 'min'; min_trades: number }): RankedCombo {
  const aQualifies = a.closed_trades >= objective.min_trades;
  const bQualifies = b.closed_trades >= objective.min_trades;
  if (aQualifies !== bQualifies) return aQualifies ? a : b;
  if (a.objective === null || b.objective === null) {
    if (a.objective !== b.objective) return a.objective === null ? b : a;
  } else if (a.objective !== b.objective) {
    return (objective.direction === 'max' ? a.objective > b.objective : a.objective < b.objective) ? a : b;
  }
  return a.combo_id <= b.combo_id ? a : b;
}

export interface SweepChunkResult {
  /** Rows this attempt evaluated. */
  evaluated: number;
  /** Of those, rows an earlier attempt had already written (evaluated twice because a worker stopped). */
  reevaluated: number;
  /** The chunk's best row by the objective (ranking rules of section 12), if it has any row. */
  best: RankedCombo | null;
}

/** Heartbeat of a chunk activity: the position of the next row to evaluate (a retry resumes there), and the chunk's first. */
export interface SweepChunkHeartbeat {
  first: number;
  next: number;
}

/** One fold's choice for one symbol, for the out-of-sample run. */
export interface FoldChoice {
  fold: number;
  combo_id: number;
  in_sample_objective: number | null;
  in_sample_return_pct: number;
}

export interface OutOfSampleInput {
  sweep_id: string;
  symbol: string;
  choices: FoldChoice[];
}

/** The best combination as the progress query, the manifest and the row state it. */
export interface SweepBest {
  combo_id: number;
  params: Record<string, unknown>;
  objective: number | null;
}

/** Answer of the sweep's `progress` query. */
export interface SweepProgress {
  status: SweepStatus;
  evaluated: number;
  total: number;
  progress: number;
  /** Seconds left at the rate so far; null before the first chunk finished (the API computes it from `evaluating_since`). */
  eta_seconds: number | null;
  /** When the first chunk was scheduled (ISO 8601); null before. */
  evaluating_since: string | null;
  /** The best row seen so far (across symbols and folds); the final best ranks combinations across symbols. */
  best: SweepBest | null;
  symbols: { symbol: string; evaluated: number; total: number }[];
}

/** What the workflow returns: small. */
export interface SweepWorkflowResult {
  status: 'completed' | 'failed';
  result_path: string;
  best: SweepBest | null;
  materialized_tasks: string[];
  expires_at: string;
  error?: string;
}

/** A sweep's directory in the store. */
export function sweepDirectory(sweepId: string): string {
  return `sweeps/${sweepId}`;
}

/** Workflow id of a sweep's own cleanup timer. */
export function sweepCleanupWorkflowId(sweepId: string): string {
  return `cleanup-sweep-${sweepId}`;
}
