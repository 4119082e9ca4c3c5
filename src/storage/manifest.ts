/**
 * A task's manifest.json (the fields of seeds/manifest-schema.ko.md, DESIGN.md section 7): the model,
 * how it is built from the outcomes, and reading and writing it. The manifest is written last: a task
 * without one is not finished, whatever else its directory holds.
 */
import type { BacktestRequest } from '../contracts/backtestRequest';
import type { Manifest, ManifestSymbol, ResultFile } from '../contracts/manifest';
import { taskDirectory, type SymbolOutcome } from '../contracts/task';
import type { ParquetCompression } from '../shared/parquet';
import { BlobNotFoundError, type BlobStore } from './providers';
import type { SymbolStagingRecord } from './staging';

export const RESULT_SCHEMA_VERSION = '1.0';

export type { Manifest, ManifestSymbol, ResultFile };

/** Where and when a result was produced, for its manifest. */
export interface ExecutionContext {
  started_at: string;
  finished_at: string;
  execution_host: string;
  environment: string;
  worker_id?: string;
  code_version: string;
  metrics_version: string;
  /** The version of the strategy the task ran (DESIGN.md section 14); unknown for tasks started before versions. */
  strategy_version?: string;
  periods_per_year: number;
  compression: ParquetCompression;
}

export const manifestKey = (taskId: string) => `${taskDirectory(taskId)}/manifest.json`;

export interface ManifestInput {
  taskId: string;
  request: BacktestRequest;
  context: ExecutionContext;
  /** Each symbol's outcome, in request order. */
  outcomes: SymbolOutcome[];
  /** The staging records of the completed symbols. */
  records: SymbolStagingRecord[];
  resultFiles: ResultFile[];
  /** Why a task that could not finish failed (persisting failed for good, or cancelled). */
  failure?: string;
}

export function buildManifest({ taskId, request, context, outcomes, records, resultFiles, failure }: ManifestInput): Manifest {
  const recordBySymbol = new Map(records.map((record) => [record.symbol, record]));
  const failed = outcomes.filter((outcome) => outcome.state === 'failed');
  const errorMessage =
    failure ??
    (records.length === 0 ? `every symbol failed: ${failed.map((outcome) => `${outcome.symbol}: ${outcome.error}`).join('; ')}` : null);
  const executionTimes = records.map((record) => record.execution_ms);
  return {
    task_id: taskId,
    status: errorMessage ? 'failed' : 'completed',
    strategy: request.strategy,
    params: request.params,
    symbols: request.symbols,
    start_date: request.start_date,
    end_date: request.end_date,
    timeframe: request.timeframe,
    result_files: resultFiles,
    metadata: {
      started_at: context.started_at,
      finished_at: context.finished_at,
      duration_ms: Date.parse(context.finished_at) - Date.parse(context.started_at),
      execution_host: context.execution_host,
      environment: context.environment,
      worker_id: context.worker_id,
      code_version: context.code_version,
      metrics_version: context.metrics_version,
      strategy_version: context.strategy_version,
      periods_per_year: context.periods_per_year,
      schema_version: RESULT_SCHEMA_VERSION,
      compression: context.compression,
      symbols: outcomes.map((outcome): ManifestSymbol => {
        const record = recordBySymbol.get(outcome.symbol);
        if (!record) return { symbol: outcome.symbol, state: outcome.state, error: outcome.error };
        const { candles, first_candle, last_candle, execution_ms, worker_id } = record;
        return { symbol: outcome.symbol, state: outcome.state, candles, first_candle, last_candle, execution_ms, worker_id };
      }),
      data_files: records.flatMap((record) => record.data_files.map((file) => ({ symbol: record.symbol, ...file }))),
    },
    summary: {
      total_signals: records.reduce((sum, record) => sum + record.summary.total_signals, 0),
      symbols_processed: records.length,
      symbols_failed: errorMessage && records.length === 0 ? request.symbols.length : failed.length,
      average_execution_time_per_symbol_ms:
        executionTimes.length === 0 ? 0 : executionTimes.reduce((sum, ms) => sum + ms, 0) / executionTimes.length,
    },
    error: { occurred: errorMessage !== null, message: errorMessage },
  };
}

export function writeManifest(store: BlobStore, manifest: Manifest): Promise<void> {
  return store.put(manifestKey(manifest.task_id), JSON.stringify(manifest, null, 2));
}

/** A task's manifest.json, or undefined while it has none (still running, or deleted). */
export async function readManifest(store: BlobStore, taskId: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse((await store.get(manifestKey(taskId))).toString('utf8'));
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}

export interface FailedTaskManifest {
  taskId: string;
  request: BacktestRequest;
  context: ExecutionContext;
  message: string;
  /** Where each symbol got to. */
  symbols: ManifestSymbol[];
}

/** A manifest for a task that failed before or during persisting: no result files, the reason recorded. */
export async function writeFailedTaskManifest(
  store: BlobStore,
  { taskId, request, context, message, symbols }: FailedTaskManifest,
): Promise<Manifest> {
  const manifest = buildManifest({ taskId, request, context, outcomes: [], records: [], resultFiles: [], failure: message });
  manifest.metadata.symbols = symbols;
  await writeManifest(store, manifest);
  return manifest;
}
