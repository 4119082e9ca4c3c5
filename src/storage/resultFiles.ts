/**
 * The persist step's files: the three Parquet tables and metadata.json (and, by storage mode, the
 * predecessor's result.json) built from a task's staging area, then the manifest, last. Every write is
 * atomic and the Parquet bytes depend only on the inputs, so a retried persist produces the same files.
 */
import { tableFromIPC } from 'apache-arrow';
import type { BacktestRequest } from '../contracts/backtestRequest';
import { taskDirectory, type SymbolOutcome } from '../contracts/task';
import type { SymbolSummary } from '../engine/types';
import { md5 } from '../shared/checksum';
import { tableToParquet, type ParquetCompression } from '../shared/parquet';
import type { BlobStore } from './providers';
import { encodeLegacyResult, LEGACY_RESULT_FILE } from './legacy/legacyResult';
import { buildManifest, RESULT_SCHEMA_VERSION, writeManifest, type ExecutionContext, type Manifest, type ResultFile } from './manifest';
import { buildSymbolSummaryTable, RESULT_TABLES, type ResultTables } from './resultTables';
import { encodeInPlace, type EncodedTable, type StagedTableEncoder } from './stagedParquet';
import { readStagedTable, readStagingRecord } from './staging';

type ResultTableName = (typeof RESULT_TABLES)[number];

export type ResultStorageMode = 'json-only' | 'dual-write' | 'postgres-only';

export interface PersistedTask {
  manifest: Manifest;
  /** Per-symbol summaries of the completed symbols, for the database row. */
  summaries: { symbol: string; summary: SymbolSummary }[];
  /** Bytes of the result data files (Parquet tables and/or result.json): the row's file_size. */
  result_bytes: number;
  signal_rows: number;
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
  const encoded = Object.fromEntries(
    RESULT_TABLES.map((name) => [name, { bytes: tableToParquet(tables[name], compression), rows: tables[name].numRows }]),
  ) as Record<ResultTableName, EncodedTable>;
  return resultFileContents(taskId, encoded, compression, createdAt);
}

/** The Parquet files in RESULT_TABLES order, then metadata.json describing them. */
function resultFileContents(
  taskId: string,
  encoded: Record<ResultTableName, EncodedTable>,
  compression: ParquetCompression,
  createdAt: string,
): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  const parquetFiles: Record<string, { row_count: number; file_size_bytes: number }> = {};
  for (const name of RESULT_TABLES) {
    files.set(`${name}.parquet`, encoded[name].bytes);
    parquetFiles[name] = { row_count: encoded[name].rows, file_size_bytes: encoded[name].bytes.length };
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
  /** Encodes the trades and curve tables from their staged parts; by default here, a worker's on its threads. */
  encode?: StagedTableEncoder;
}

/**
 * Writes the result files of a task from its staging area, manifest last. The staging stays until
 * the caller has recorded the result, so a retry after a crash at any point can redo every step.
 * `postgres-only` writes the Parquet tables, `json-only` the predecessor's result.json instead, and
 * `dual-write` both. A task with no completed symbol gets a `failed` manifest and no tables.
 */
export async function writeTaskResult(
  store: BlobStore,
  { taskId, request, outcomes, context, mode, encode = encodeInPlace }: TaskResultInput,
): Promise<PersistedTask> {
  const completed = outcomes.filter((outcome) => outcome.state === 'completed').map((outcome) => outcome.symbol);
  const records = await Promise.all(completed.map((symbol) => readStagingRecord(store, taskId, symbol)));
  const files = new Map<string, Uint8Array | string>();
  let signalRows = 0;

  if (records.length > 0) {
    const [tradeParts, curveParts] = await Promise.all([
      Promise.all(completed.map((symbol) => readStagedTable(store, taskId, symbol, 'signals'))),
      Promise.all(completed.map((symbol) => readStagedTable(store, taskId, symbol, 'curve'))),
    ]);
    const summaryTable = buildSymbolSummaryTable(records.map(({ symbol, summary }) => ({ symbol, summary })));
    if (mode !== 'json-only') {
      const { compression } = context;
      // The two large tables side by side (on two threads of a worker), the small one here.
      const [symbol_signals, performance_curve] = await Promise.all([encode(tradeParts, compression), encode(curveParts, compression)]);
      const symbol_summary = { bytes: tableToParquet(summaryTable, compression), rows: summaryTable.numRows };
      for (const [name, bytes] of resultFileContents(
        taskId,
        { symbol_summary, symbol_signals, performance_curve },
        compression,
        context.finished_at,
      )) {
        files.set(name, bytes);
      }
      signalRows = symbol_signals.rows;
    }
    if (mode !== 'postgres-only') {
      const concatenated = (parts: Uint8Array[]) => {
        const tables = parts.map((part) => tableFromIPC(part));
        return tables[0].concat(...tables.slice(1));
      };
      const tables: ResultTables = {
        symbol_summary: summaryTable,
        symbol_signals: concatenated(tradeParts),
        performance_curve: concatenated(curveParts),
      };
      signalRows = tables.symbol_signals.numRows;
      files.set(LEGACY_RESULT_FILE, encodeLegacyResult(taskId, request, context, tables));
    }
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
