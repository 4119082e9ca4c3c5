/**
 * A task's files under `tasks/<task_id>/`: per-symbol staging written by the symbol activities,
 * then the three Parquet tables, metadata.json and manifest.json written by the persist step.
 * Every write is atomic and the Parquet bytes depend only on the inputs, so a retried persist
 * produces the same files.
 */
import { createHash } from 'node:crypto';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { BacktestRequest } from '../contracts/backtestRequest';
import { taskDirectory, type SymbolOutcome, type SymbolState } from '../contracts/task';
import type { BacktestOutput, SymbolSummary } from '../engine/types';
import type { BlobStore } from './blobStore';
import { buildLegacyResult, legacyResultToTables, parseLegacyResult } from './legacyResult';
import { tableToParquet, type ParquetCompression } from './parquet';
import {
  buildPerformanceCurveTable,
  buildSymbolSignalsTable,
  buildSymbolSummaryTable,
  performanceCurveSchema,
  RESULT_TABLES,
  symbolSignalsSchema,
  type ResultTables,
  type TableInput,
} from './resultTables';

export const RESULT_SCHEMA_VERSION = '1.0';

/** Facts about the OHLCV data one symbol's result was computed from. */
export interface SymbolDataUsed {
  candles: number;
  /** ISO 8601 of the first and last candle used; null when the range held none. */
  first_candle: string | null;
  last_candle: string | null;
  data_files: { path: string; size_bytes: number; md5: string }[];
}

interface SymbolStagingRecord extends SymbolDataUsed {
  symbol: string;
  summary: SymbolSummary;
  execution_ms: number;
}

const manifestKey = (taskId: string) => `${taskDirectory(taskId)}/manifest.json`;
export const stagingDirectory = (taskId: string) => `${taskDirectory(taskId)}/staging`;
const stagingKey = (taskId: string, name: string) => `${stagingDirectory(taskId)}/${name}`;

export function md5(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** Stores one symbol's bulk output where the persist step (on any worker) will find it. */
export async function writeSymbolStaging(
  store: BlobStore,
  taskId: string,
  symbol: string,
  timestamps: Float64Array,
  output: BacktestOutput,
  dataUsed: SymbolDataUsed,
  executionMs: number,
): Promise<void> {
  const part = [{ symbol, timestamps, trades: output.trades, curve: output.curve }];
  await store.put(stagingKey(taskId, `${symbol}.signals.arrow`), tableToIPC(buildSymbolSignalsTable(part), 'file'));
  await store.put(stagingKey(taskId, `${symbol}.curve.arrow`), tableToIPC(buildPerformanceCurveTable(part), 'file'));
  const record: SymbolStagingRecord = { symbol, summary: output.summary, execution_ms: executionMs, ...dataUsed };
  // The JSON record goes last: its presence means the symbol's staging is complete.
  await store.put(stagingKey(taskId, `${symbol}.json`), JSON.stringify(record));
}

async function readStagingRecord(store: BlobStore, taskId: string, symbol: string): Promise<SymbolStagingRecord> {
  return JSON.parse((await store.get(stagingKey(taskId, `${symbol}.json`))).toString('utf8'));
}

async function readStagingTable(store: BlobStore, taskId: string, name: string): Promise<Table> {
  return tableFromIPC(await store.get(stagingKey(taskId, name)));
}

/** Concatenates per-symbol tables in request order; an empty list still yields the table's schema. */
function concatTables(tables: Table[], emptyTable: Table): Table {
  return tables.length === 0 ? emptyTable : tables[0].concat(...tables.slice(1));
}

export interface ResultFile {
  name: string;
  path: string;
  size_bytes: number;
  checksum: string;
}

export interface Manifest {
  task_id: string;
  status: 'completed' | 'failed';
  strategy: string;
  params: Record<string, unknown>;
  symbols: string[];
  start_date: string;
  end_date: string;
  timeframe: string;
  result_files: ResultFile[];
  metadata: {
    started_at: string;
    finished_at: string;
    duration_ms: number;
    execution_host: string;
    environment: string;
    worker_id?: string;
    code_version: string;
    metrics_version?: string;
    /** Bars per year used to annualise Sharpe, Sortino and CAGR (24/7 markets). */
    periods_per_year?: number;
    schema_version: string;
    compression: ParquetCompression;
    symbols: {
      symbol: string;
      /** pending or running only in the manifest of a task that stopped early (cancelled). */
      state: SymbolState;
      error?: string;
      candles?: number;
      first_candle?: string | null;
      last_candle?: string | null;
      execution_ms?: number;
    }[];
    data_files: { symbol: string; path: string; size_bytes: number; md5: string }[];
  };
  summary: {
    total_signals: number;
    symbols_processed: number;
    symbols_failed: number;
    average_execution_time_per_symbol_ms: number;
  };
  error: { occurred: boolean; message: string | null };
}

export interface ExecutionContext {
  started_at: string;
  finished_at: string;
  execution_host: string;
  environment: string;
  worker_id?: string;
  code_version: string;
  metrics_version: string;
  periods_per_year: number;
  compression: ParquetCompression;
}

export interface PersistedTask {
  manifest: Manifest;
  /** Per-symbol summaries of the completed symbols, for the database row. */
  summaries: { symbol: string; summary: SymbolSummary }[];
  /** Bytes of the result data files (Parquet tables and/or result.json): the row's file_size. */
  result_bytes: number;
  signal_rows: number;
}

export type ResultStorageMode = 'json-only' | 'dual-write' | 'postgres-only';

/** The predecessor's whole-result JSON, written in `dual-write` and `json-only` modes. */
export const LEGACY_RESULT_FILE = 'result.json';

/**
 * The bytes of a result's Parquet tables and metadata.json, in write order. Shared by the persist step
 * and the legacy migration so both produce the same layout.
 */
export function encodeResultTables(
  taskId: string,
  tables: ResultTables,
  compression: ParquetCompression,
  createdAt: string,
): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  const parquetFiles: Record<string, { row_count: number; file_size_bytes: number }> = {};
  for (const name of RESULT_TABLES) {
    const bytes = tableToParquet(tables[name], compression);
    files.set(`${name}.parquet`, bytes);
    parquetFiles[name] = { row_count: tables[name].numRows, file_size_bytes: bytes.length };
  }
  const metadata = {
    schema_version: RESULT_SCHEMA_VERSION,
    compression,
    parquet_files: parquetFiles,
    created_at: createdAt,
    task_id: taskId,
  };
  files.set('metadata.json', JSON.stringify(metadata, null, 2));
  return files;
}

/** Stores files in order and describes them as the manifest lists them. */
async function putResultFiles(store: BlobStore, directory: string, files: Map<string, Uint8Array | string>): Promise<ResultFile[]> {
  const described: ResultFile[] = [];
  for (const [name, bytes] of files) {
    await store.put(`${directory}/${name}`, bytes);
    described.push({ name, path: name, size_bytes: Buffer.byteLength(bytes), checksum: md5(bytes) });
  }
  return described;
}

/**
 * Writes the result files of a task from its staging area, manifest last. The staging stays until
 * the caller has recorded the result, so a retry after a crash at any point can redo every step.
 * `postgres-only` writes the Parquet tables, `json-only` the predecessor's result.json instead, and
 * `dual-write` both. A task with no completed symbol gets a `failed` manifest and no tables.
 */
export async function writeTaskResult(
  store: BlobStore,
  taskId: string,
  request: BacktestRequest,
  outcomes: SymbolOutcome[],
  context: ExecutionContext,
  mode: ResultStorageMode = 'postgres-only',
): Promise<PersistedTask> {
  const directory = taskDirectory(taskId);
  const completed = outcomes.filter((outcome) => outcome.state === 'completed');
  const records = await Promise.all(completed.map((outcome) => readStagingRecord(store, taskId, outcome.symbol)));
  const files = new Map<string, Uint8Array | string>();
  let signalRows = 0;

  if (records.length > 0) {
    const signals = await Promise.all(completed.map((o) => readStagingTable(store, taskId, `${o.symbol}.signals.arrow`)));
    const curves = await Promise.all(completed.map((o) => readStagingTable(store, taskId, `${o.symbol}.curve.arrow`)));
    const tables: ResultTables = {
      symbol_summary: buildSymbolSummaryTable(records.map(({ symbol, summary }) => ({ symbol, summary }))),
      symbol_signals: concatTables(signals, new Table(symbolSignalsSchema)),
      performance_curve: concatTables(curves, new Table(performanceCurveSchema)),
    };
    signalRows = tables.symbol_signals.numRows;
    if (mode !== 'json-only') {
      for (const [name, bytes] of encodeResultTables(taskId, tables, context.compression, context.finished_at)) files.set(name, bytes);
    }
    if (mode !== 'postgres-only') {
      const legacy = buildLegacyResult(
        {
          run_id: taskId,
          strategy: request.strategy,
          params: request.params,
          start_date: request.start_date,
          end_date: request.end_date,
          timeframe: request.timeframe,
          execution_time: (Date.parse(context.finished_at) - Date.parse(context.started_at)) / 1000,
          metadata: { execution_date: context.finished_at, environment: context.environment, execution_host: context.execution_host },
        },
        tables,
      );
      files.set(LEGACY_RESULT_FILE, JSON.stringify(legacy));
    }
  }

  const resultFiles = await putResultFiles(store, directory, files);
  const manifest = buildManifest(taskId, request, outcomes, records, resultFiles, context);
  await store.put(manifestKey(taskId), JSON.stringify(manifest, null, 2));
  return {
    manifest,
    summaries: records.map(({ symbol, summary }) => ({ symbol, summary })),
    result_bytes: resultFiles.filter((file) => file.name !== 'metadata.json').reduce((sum, file) => sum + file.size_bytes, 0),
    signal_rows: signalRows,
  };
}

/** A task's manifest.json, or undefined while it has none (still running, or deleted). */
export async function readManifest(store: BlobStore, taskId: string): Promise<Manifest | undefined> {
  if ((await store.size(manifestKey(taskId))) === undefined) return undefined;
  return JSON.parse((await store.get(manifestKey(taskId))).toString('utf8'));
}

/**
 * A finished task's three tables for the readers, whatever the storage mode wrote: the Parquet files
 * when present, else result.json converted in memory. Undefined when the task stored no result.
 */
export async function openResultTables(
  store: BlobStore,
  taskId: string,
  manifest: Manifest,
): Promise<Record<(typeof RESULT_TABLES)[number], TableInput> | undefined> {
  const listed = new Set(manifest.result_files.map((file) => file.name));
  const directory = taskDirectory(taskId);
  if (RESULT_TABLES.every((name) => listed.has(`${name}.parquet`))) {
    const path = (name: string) => store.localPath(`${directory}/${name}.parquet`);
    return { symbol_summary: path('symbol_summary'), symbol_signals: path('symbol_signals'), performance_curve: path('performance_curve') };
  }
  if (listed.has(LEGACY_RESULT_FILE)) {
    return legacyResultToTables(parseLegacyResult((await store.get(`${directory}/${LEGACY_RESULT_FILE}`)).toString('utf8')));
  }
  return undefined;
}

/** A manifest for a task that failed before or during persisting: no result files, the reason recorded. */
export async function writeFailedTaskManifest(
  store: BlobStore,
  taskId: string,
  request: BacktestRequest,
  message: string,
  symbolStates: Manifest['metadata']['symbols'],
  context: ExecutionContext,
): Promise<Manifest> {
  const manifest = buildManifest(taskId, request, [], [], [], context, message);
  manifest.metadata.symbols = symbolStates;
  await store.put(manifestKey(taskId), JSON.stringify(manifest, null, 2));
  return manifest;
}

function buildManifest(
  taskId: string,
  request: BacktestRequest,
  outcomes: SymbolOutcome[],
  records: SymbolStagingRecord[],
  resultFiles: ResultFile[],
  context: ExecutionContext,
  failure?: string,
): Manifest {
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
      periods_per_year: context.periods_per_year,
      schema_version: RESULT_SCHEMA_VERSION,
      compression: context.compression,
      symbols: outcomes.map((outcome) => {
        const record = recordBySymbol.get(outcome.symbol);
        return record
          ? {
              symbol: outcome.symbol,
              state: outcome.state,
              candles: record.candles,
              first_candle: record.first_candle,
              last_candle: record.last_candle,
              execution_ms: record.execution_ms,
            }
          : { symbol: outcome.symbol, state: outcome.state, error: outcome.error };
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
