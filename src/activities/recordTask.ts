/** The task's database row and final files: inserted as `running`, finished as completed or failed. */
import { hostname } from 'node:os';
import type { BacktestRequest } from '../contracts/backtestRequest';
import { taskDirectory, type BacktestWorkflowResult, type PersistInput, type TaskFailureInput } from '../contracts/task';
import { METRICS_VERSION } from '../engine/metrics';
import { periodsPerYear } from '../engine/timeframes';
import {
  RESULT_SCHEMA_VERSION,
  stagingDirectory,
  writeFailedTaskManifest,
  writeTaskResult,
  type ExecutionContext,
} from '../storage/taskResult';
import type { ActivityDependencies } from './dependencies';

const codeVersion: string = require('../../package.json').version;

const DAY_MS = 86_400_000;

export function createRecordTaskActivities({ config, store, repository, logger }: ActivityDependencies) {
  function executionContext(startedAt: string, request: BacktestRequest): ExecutionContext {
    return {
      started_at: startedAt,
      finished_at: new Date().toISOString(),
      execution_host: hostname(),
      environment: config.NODE_ENV,
      worker_id: config.WORKER_ID ?? `${hostname()}-${process.pid}`,
      code_version: codeVersion,
      metrics_version: METRICS_VERSION,
      periods_per_year: periodsPerYear(request.timeframe),
      compression: config.PARQUET_COMPRESSION,
    };
  }

  function expiresAt(status: 'completed' | 'failed', finishedAt: string): string {
    const days = status === 'completed' ? config.TASK_RESULT_TTL_DAYS : config.FAILED_TASK_TTL_DAYS;
    return new Date(Date.parse(finishedAt) + days * DAY_MS).toISOString();
  }

  async function recordTaskStart({ task_id, request }: { task_id: string; request: BacktestRequest }): Promise<void> {
    await repository.insertRunning({
      task_id,
      strategy: request.strategy,
      symbols: request.symbols,
      start_date: request.start_date,
      end_date: request.end_date,
      timeframe: request.timeframe,
      parquet_path: taskDirectory(task_id),
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
  async function persistResult({ task_id, request, outcomes, started_at }: PersistInput): Promise<BacktestWorkflowResult> {
    const context = executionContext(started_at, request);
    const persisted = await writeTaskResult(store, task_id, request, outcomes, context, config.RESULT_STORAGE_MODE);
    const { manifest } = persisted;
    const expires_at = expiresAt(manifest.status, context.finished_at);
    await repository.markFinished({
      task_id,
      status: manifest.status,
      file_size: persisted.result_bytes,
      record_count: persisted.signal_rows,
      metadata: {
        summary: manifest.summary,
        symbol_summaries: Object.fromEntries(persisted.summaries.map(({ symbol, summary }) => [symbol, summary])),
        failed_symbols: manifest.metadata.symbols.filter((s) => s.state === 'failed'),
        error: manifest.error.message,
        finished_at: context.finished_at,
        expires_at,
      },
    });
    await store.remove(stagingDirectory(task_id));
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

  /** A task that could not finish (persist failed for good, or cancelled): failed manifest and row, no staging left. */
  async function recordTaskFailure({ task_id, request, started_at, message, cancelled, symbols }: TaskFailureInput): Promise<void> {
    const context = executionContext(started_at, request);
    await writeFailedTaskManifest(store, task_id, request, message, symbols, context);
    // Before the row: a client that sees the task ended must find no staging left.
    await store.remove(stagingDirectory(task_id));
    await repository.markFinished({
      task_id,
      status: 'failed',
      file_size: 0,
      record_count: 0,
      metadata: {
        error: message,
        cancelled: cancelled === true,
        finished_at: context.finished_at,
        expires_at: expiresAt('failed', context.finished_at),
      },
    });
    logger.warn({ task_id, cancelled: cancelled === true, err: message }, 'task failed');
  }

  return { recordTaskStart, persistResult, recordTaskFailure };
}
