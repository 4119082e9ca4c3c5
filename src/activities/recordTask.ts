/** The task's database row and final files: inserted as `running`, finished as completed, failed or cancelled. */
import { hostname } from 'node:os';
import type { BacktestRequest } from '../contracts/backtestRequest';
import {
  taskDirectory,
  type BacktestWorkflowResult,
  type PersistInput,
  type TaskFailureInput,
  type TaskFailureRecord,
} from '../contracts/task';
import { METRICS_VERSION } from '../engine/metrics';
import { periodsPerYear } from '../engine/timeframes';
import type { TaskRowIdentity } from '../storage/backtestResults';
import { expiryOf } from '../storage/cleanup';
import { RESULT_SCHEMA_VERSION, writeFailedTaskManifest, type ExecutionContext } from '../storage/manifest';
import { writeTaskResult } from '../storage/resultFiles';
import { removeStaging } from '../storage/staging';
import type { ActivityDependencies } from './dependencies';

const codeVersion: string = require('../../package.json').version;

function rowIdentity(taskId: string, request: BacktestRequest): TaskRowIdentity {
  return {
    task_id: taskId,
    strategy: request.strategy,
    symbols: request.symbols,
    start_date: request.start_date,
    end_date: request.end_date,
    timeframe: request.timeframe,
    parquet_path: taskDirectory(taskId),
  };
}

export function createRecordTaskActivities({ config, store, repository, evaluation, logger, workerId }: ActivityDependencies) {
  const retention = { completed: config.TASK_RESULT_TTL_DAYS, failed: config.FAILED_TASK_TTL_DAYS };

  function executionContext({
    started_at,
    request,
    strategy_version,
  }: Pick<PersistInput, 'started_at' | 'request' | 'strategy_version'>): ExecutionContext {
    return {
      strategy_version,
      started_at,
      finished_at: new Date().toISOString(),
      execution_host: hostname(),
      environment: config.NODE_ENV,
      worker_id: workerId,
      code_version: codeVersion,
      metrics_version: METRICS_VERSION,
      periods_per_year: periodsPerYear(request.timeframe),
      compression: config.PARQUET_COMPRESSION,
    };
  }

  async function recordTaskStart({ task_id, request }: { task_id: string; request: BacktestRequest }): Promise<void> {
    await repository.insertRunning({
      ...rowIdentity(task_id, request),
      metadata: {
        schema_version: RESULT_SCHEMA_VERSION,
        compression: config.PARQUET_COMPRESSION,
        storage_mode: config.RESULT_STORAGE_MODE,
        params: request.params,
        pinned: false,
      },
    });
    logger.info({ task_id, symbols: request.symbols.length }, 'task started');
  }

  /** Writes the result files and finishes the row; safe to retry after a crash at any step. */
  async function persistResult(input: PersistInput): Promise<BacktestWorkflowResult> {
    const { task_id, request, outcomes } = input;
    const context = executionContext(input);
    const persisted = await writeTaskResult(store, {
      taskId: task_id,
      request,
      outcomes,
      context,
      mode: config.RESULT_STORAGE_MODE,
      encode: evaluation.encodeStagedTable,
    });
    const { manifest } = persisted;
    const expires_at = expiryOf(manifest.status, context.finished_at, retention);
    await repository.recordFinished({
      ...rowIdentity(task_id, request),
      status: manifest.status,
      file_size: persisted.result_bytes,
      record_count: persisted.signal_rows,
      metadata: {
        summary: manifest.summary,
        symbol_summaries: Object.fromEntries(persisted.summaries.map(({ symbol, summary }) => [symbol, summary])),
        failed_symbols: manifest.metadata.symbols.filter((s) => s.state === 'failed').map(({ symbol, error }) => ({ symbol, error })),
        error: manifest.error.message,
        finished_at: context.finished_at,
        expires_at,
      },
    });
    await removeStaging(store, task_id);
    logger.info({ task_id, status: manifest.status, ...manifest.summary }, 'task persisted');
    return {
      status: manifest.status,
      result_path: taskDirectory(task_id),
      total_signals: manifest.summary.total_signals,
      symbols_processed: manifest.summary.symbols_processed,
      symbols_failed: manifest.summary.symbols_failed,
      expires_at,
      ...(manifest.error.message ? { error: manifest.error.message } : {}),
    };
  }

  /**
   * A task that could not finish (persisting failed for good, or cancelled): a failed manifest, no staging
   * left, and a row that is not `running` (created if the task's start was never recorded). Idempotent.
   */
  async function recordTaskFailure(input: TaskFailureInput): Promise<TaskFailureRecord> {
    const { task_id, request, message, cancelled, symbols } = input;
    const context = executionContext(input);
    await writeFailedTaskManifest(store, { taskId: task_id, request, context, message, symbols });
    // Before the row: a client that sees the task ended must find no staging left.
    await removeStaging(store, task_id);
    const expires_at = expiryOf('failed', context.finished_at, retention);
    await repository.recordFinished({
      ...rowIdentity(task_id, request),
      status: cancelled ? 'cancelled' : 'failed',
      file_size: 0,
      record_count: 0,
      metadata: { error: message, finished_at: context.finished_at, expires_at },
    });
    logger.warn({ task_id, cancelled: cancelled === true, err: message }, 'task failed');
    return { expires_at };
  }

  return { recordTaskStart, persistResult, recordTaskFailure };
}
