/**
 * What travels through Temporal: the workflow input, the per-symbol outcome references, the progress
 * query and the workflow result. Only small summaries and file references; bulk results stay on disk.
 */
import type { BacktestRequest } from './backtestRequest';

export const taskStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof taskStatuses)[number];
export type SymbolState = 'pending' | 'running' | 'completed' | 'failed';

export interface BacktestWorkflowInput {
  task_id: string;
  request: BacktestRequest;
  /** Per-symbol activities in flight at once. */
  max_parallel_symbols: number;
  /**
   * The version of the strategy the API validated the request against (DESIGN.md section 14); a worker with another
   * version of it refuses the task. Absent in tasks started before versions existed: then nothing is compared.
   */
  strategy_version?: string;
}

/**
 * A request without its symbol list, plus the strategy version it was validated against: what one symbol's activity
 * needs (keeps each history event small).
 */
export type SymbolBacktestSpec = Omit<BacktestRequest, 'symbols'> & Pick<BacktestWorkflowInput, 'strategy_version'>;

/**
 * Failure types of a symbol's activity that no other symbol can escape either, since the worker, not the symbol,
 * is at fault: they fail the whole task at once.
 */
export const TASK_FAILURE_TYPES = ['StrategyVersionMismatch', 'StrategyUnavailable'] as const;

export interface SymbolTaskInput {
  task_id: string;
  symbol: string;
  spec: SymbolBacktestSpec;
}

/** A symbol's result reference: its bulk output is in the task's staging area under `symbol`. */
export interface SymbolRunResult {
  symbol: string;
  candles: number;
  trades: number;
  execution_ms: number;
}

export interface SymbolOutcome {
  symbol: string;
  state: 'completed' | 'failed';
  /** Present when completed. */
  result?: SymbolRunResult;
  /** Present when failed: the reason a person can act on. */
  error?: string;
}

export interface PersistInput {
  task_id: string;
  request: BacktestRequest;
  outcomes: SymbolOutcome[];
  /** ISO 8601 UTC, when the workflow started. */
  started_at: string;
  /** Recorded in the manifest as metadata.strategy_version. */
  strategy_version?: string;
}

export interface TaskFailureInput {
  task_id: string;
  request: BacktestRequest;
  started_at: string;
  strategy_version?: string;
  message: string;
  cancelled?: boolean;
  /** Where each symbol got to, recorded in the failed manifest. */
  symbols: { symbol: string; state: SymbolState; error?: string }[];
}

/** What recording a failure returns: when the failed task's files and row expire. */
export interface TaskFailureRecord {
  expires_at: string;
}

export interface BacktestWorkflowResult {
  status: 'completed' | 'failed';
  /** Task directory relative to DATA_ROOT. */
  result_path: string;
  total_signals: number;
  symbols_processed: number;
  symbols_failed: number;
  /** ISO 8601 UTC: when cleanup may delete the result (unless pinned). */
  expires_at: string;
  error?: string;
}

/** What the failure webhook receives (besides `event: "backtest.failed"`). */
export interface FailureNotice {
  task_id: string;
  status: 'failed' | 'cancelled';
  strategy: string;
  /** Number of symbols in the task. */
  symbols: number;
  error: string;
}

/** Heartbeat details of a per-symbol activity: fraction of its work done. */
export interface SymbolHeartbeat {
  symbol: string;
  progress: number;
}

export interface SymbolProgress {
  symbol: string;
  state: SymbolState;
  progress: number;
  error?: string;
}

/** Answer of the workflow's `progress` query. */
export interface TaskProgress {
  status: TaskStatus;
  progress: number;
  symbols: SymbolProgress[];
}

/** Task directory of a task, relative to DATA_ROOT. */
export function taskDirectory(taskId: string): string {
  return `tasks/${taskId}`;
}

/** Id of the schedule that runs the cleanup sweep. */
export const CLEANUP_SCHEDULE_ID = 'backtest-cleanup-sweep';

/** Id of the schedule that runs the backup (BACKUP_CRON). */
export const BACKUP_SCHEDULE_ID = 'backtest-backup';

/**
 * Above this many symbols, symbols run in child workflows of this size, one batch after another, so that
 * no history grows with the symbol count (a 1,000-symbol task: ten children of ~100 KB of history each).
 */
export const SYMBOLS_PER_BATCH = 100;

/** Workflow id of the child running a task's symbols `[batch * SYMBOLS_PER_BATCH, ...)`. */
export function symbolBatchWorkflowId(taskId: string, batch: number): string {
  return `${taskId}-batch-${batch}`;
}

/** Workflow id of a task's own cleanup timer. */
export function taskCleanupWorkflowId(taskId: string): string {
  return `cleanup-${taskId}`;
}
