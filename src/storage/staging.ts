/**
 * A task's staging area, `tasks/<task_id>/staging/`: each symbol activity stores its bulk output there
 * (trades and curve as Arrow IPC, a JSON record last), and the persist step, on any worker, reads it back.
 */
import { tableToIPC } from 'apache-arrow';
import { taskDirectory } from '../contracts/task';
import type { BacktestOutput, SymbolSummary } from '../engine/types';
import type { BlobStore } from './providers';
import { buildPerformanceCurveTable, buildSymbolSignalsTable } from './resultTables';

/** Facts about the OHLCV data one symbol's result was computed from. */
export interface SymbolDataUsed {
  candles: number;
  /** ISO 8601 of the first and last candle used; null when the range held none. */
  first_candle: string | null;
  last_candle: string | null;
  data_files: { path: string; size_bytes: number; md5: string }[];
}

export interface SymbolStagingRecord extends SymbolDataUsed {
  symbol: string;
  summary: SymbolSummary;
  execution_ms: number;
  /** The worker that computed the symbol. */
  worker_id: string;
}

export const stagingDirectory = (taskId: string) => `${taskDirectory(taskId)}/staging`;
const stagingKey = (taskId: string, name: string) => `${stagingDirectory(taskId)}/${name}`;
const RECORD_SUFFIX = '.json';

/** One symbol's trades and curve as Arrow IPC files: what a thread of the pool hands back to its activity. */
export interface StagedTables {
  signals: Uint8Array;
  curve: Uint8Array;
}

/** Encodes one symbol's bulk output (CPU-bound: done on the thread that computed it). */
export function encodeSymbolStaging(symbol: string, timestamps: Float64Array, output: BacktestOutput): StagedTables {
  const part = [{ symbol, timestamps, trades: output.trades, curve: output.curve }];
  return {
    signals: tableToIPC(buildSymbolSignalsTable(part), 'file'),
    curve: tableToIPC(buildPerformanceCurveTable(part), 'file'),
  };
}

export interface SymbolStaging {
  store: BlobStore;
  taskId: string;
  symbol: string;
  tables: StagedTables;
  summary: SymbolSummary;
  dataUsed: SymbolDataUsed;
  executionMs: number;
  workerId: string;
}

/** Stores one symbol's bulk output where the persist step (on any worker) will find it. */
export async function writeSymbolStaging({
  store,
  taskId,
  symbol,
  tables,
  summary,
  dataUsed,
  executionMs,
  workerId,
}: SymbolStaging): Promise<void> {
  // Side by side: a remote store's round trips, not the bytes, are what a small task waits for.
  await Promise.all([
    store.put(stagingKey(taskId, `${symbol}.signals.arrow`), tables.signals),
    store.put(stagingKey(taskId, `${symbol}.curve.arrow`), tables.curve),
  ]);
  const record: SymbolStagingRecord = { symbol, summary, execution_ms: executionMs, worker_id: workerId, ...dataUsed };
  // The JSON record goes last: its presence means the symbol's staging is complete.
  await store.put(stagingKey(taskId, `${symbol}${RECORD_SUFFIX}`), JSON.stringify(record));
}

export async function readStagingRecord(store: BlobStore, taskId: string, symbol: string): Promise<SymbolStagingRecord> {
  return JSON.parse((await store.get(stagingKey(taskId, `${symbol}${RECORD_SUFFIX}`))).toString('utf8'));
}

/** A symbol's staged trades or curve: the Arrow IPC file as stored. */
export function readStagedTable(store: BlobStore, taskId: string, symbol: string, table: keyof StagedTables): Promise<Uint8Array> {
  return store.get(stagingKey(taskId, `${symbol}.${table}.arrow`));
}

/** Symbols whose staging is complete: what a running task has finished, readable without its workflow. */
export async function listStagedSymbols(store: BlobStore, taskId: string): Promise<string[]> {
  const names = await store.list(stagingDirectory(taskId));
  return names.filter((name) => name.endsWith(RECORD_SUFFIX)).map((name) => name.slice(0, -RECORD_SUFFIX.length));
}

export function removeStaging(store: BlobStore, taskId: string): Promise<void> {
  return store.remove(stagingDirectory(taskId));
}
