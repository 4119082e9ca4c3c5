/**
 * The persist step's files: the three Parquet tables and metadata.json (and, by storage mode, the
 * predecessor's result.json) built from a task's staging area, then the manifest, last. Every write is
 * atomic and the Parquet bytes depend only on the inputs, so a retried persist produces the same files.
 */
import { Table } from 'apache-arrow';
import type { BacktestRequest } from '../contracts/backtestRequest';
import { taskDirectory, type SymbolOutcome } from '../contracts/task';
import type { SymbolSummary } from '../engine/types';
import { md5 } from '../shared/checksum';
import { tableToParquet, type ParquetCompression } from '../shared/parquet';
import type { BlobStore } from './providers';
import { encodeLegacyResult, LEGACY_RESULT_FILE } from './legacy/legacyResult';
import { buildManifest, RESULT_SCHEMA_VERSION, writeManifest, type ExecutionContext, type Manifest, type ResultFile } from './manifest';
import { buildSymbolSummaryTable, performanceCurveSchema, RESULT_TABLES, symbolSignalsSchema, type ResultTables } from './resultTables';
import { readStagedCurve, readStagedTrades, readStagingRecord } from './staging';

export type ResultStorageMode = 'json-only' | 'dual-write' | 'postgres-only';

export interface PersistedTask {
  manifest: Manifest;
  /** Per-symbol summaries of the completed symbols, for the database row. */
  summaries: { symbol: string; summary: SymbolSummary }[];
  /** Bytes of the result data files (Parquet tables and/or result.json): the row's file_size. */
  result_bytes: number;
  signal_rows: number;
}

/** Concatenates per-symbol tables in request order; an empty list still yields the table's schema. */
function concatTables(tables: Table[], emptyTable: Table): Table {
  return tables.length === 0 ? emptyTable : tables[0].concat(...tables.slice(1));
}

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

/**
 * Stores files side by side (no reader looks at them before the manifest, written after) and describes
 * them, in the map's order, as the manifest lists them.
 */
export async function putResultFiles(store: BlobStore, directory: string, files: Map<string, Uint8Array | string>): Promise<ResultFile[]> {
  return Promise.all(
    [...files].map(async ([name, bytes]): Promise<ResultFile> => {
      await store.put(`${directory}/${name}`, bytes);
      return { name, path: name, size_bytes: Buffer.byteLength(bytes), checksum: md5(bytes) };
    }),
  );
}

export interface TaskResultInput {
  taskId: string;
  request: BacktestRequest;
  outcomes: SymbolOutcome[];
  context: ExecutionContext;
  mode: ResultStorageMode;
}

/**
 * Writes the result files of a task from its staging area, manifest last. The staging stays until
 * the caller has recorded the result, so a retry after a crash at any point can redo every step.
 * `postgres-only` writes the Parquet tables, `json-only` the predecessor's result.json instead, and
 * `dual-write` both. A task with no completed symbol gets a `failed` manifest and no tables.
 */
export async function writeTaskResult(
  store: BlobStore,
  { taskId, request, outcomes, context, mode }: TaskResultInput,
): Promise<PersistedTask> {
  const completed = outcomes.filter((outcome) => outcome.state === 'completed').map((outcome) => outcome.symbol);
  const records = await Promise.all(completed.map((symbol) => readStagingRecord(store, taskId, symbol)));
  const files = new Map<string, Uint8Array | string>();
  let signalRows = 0;

  if (records.length > 0) {
    const [trades, curves] = await Promise.all([
      Promise.all(completed.map((symbol) => readStagedTrades(store, taskId, symbol))),
      Promise.all(completed.map((symbol) => readStagedCurve(store, taskId, symbol))),
    ]);
    const tables: ResultTables = {
      symbol_summary: buildSymbolSummaryTable(records.map(({ symbol, summary }) => ({ symbol, summary }))),
      symbol_signals: concatTables(trades, new Table(symbolSignalsSchema)),
      performance_curve: concatTables(curves, new Table(performanceCurveSchema)),
    };
    signalRows = tables.symbol_signals.numRows;
    if (mode !== 'json-only') {
      for (const [name, bytes] of encodeResultTables(taskId, tables, context.compression, context.finished_at)) files.set(name, bytes);
    }
    if (mode !== 'postgres-only') files.set(LEGACY_RESULT_FILE, encodeLegacyResult(taskId, request, context, tables));
  }

  const resultFiles = await putResultFiles(store, taskDirectory(taskId), files);
  const manifest = buildManifest({ taskId, request, context, outcomes, records, resultFiles });
  await writeManifest(store, manifest);
  return {
    manifest,
    summaries: records.map(({ symbol, summary }) => ({ symbol, summary })),
    result_bytes: resultFiles.filter((file) => file.name !== 'metadata.json').reduce((sum, file) => sum + file.size_bytes, 0),
    signal_rows: signalRows,
  };
}
