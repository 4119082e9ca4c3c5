/**
 * A task's staging area, `tasks/<task_id>/staging/`: each symbol activity stores its bulk output there
 * (trades and curve as Arrow IPC, a JSON record last), and the persist step, on any worker, reads it back.
 */
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
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

export interface SymbolStaging {
  store: BlobStore;
  taskId: string;
  symbol: string;
  /** Bar times of the candles the output was computed from (epoch ms). */
  timestamps: Float64Array;
  output: BacktestOutput;
  dataUsed: SymbolDataUsed;
  executionMs: number;
  workerId: string;
}

/** Stores one symbol's bulk output where the persist step (on any worker) will find it. */
export async function writeSymbolStaging({
  store,
  taskId,
  symbol,
  timestamps,
  output,
  dataUsed,
  executionMs,
  workerId,
}: SymbolStaging): Promise<void> {
  const part = [{ symbol, timestamps, trades: output.trades, curve: output.curve }];
  // Side by side: a remote store's round trips, not the bytes, are what a small task waits for.
  await Promise.all([
    store.put(stagingKey(taskId, `${symbol}.signals.arrow`), tableToIPC(buildSymbolSignalsTable(part), 'file')),
    store.put(stagingKey(taskId, `${symbol}.curve.arrow`), tableToIPC(buildPerformanceCurveTable(part), 'file')),
  ]);
  const record: SymbolStagingRecord = { symbol, summary: output.summary, execution_ms: executionMs, worker_id: workerId, ...dataUsed };
  // The JSON record goes last: its presence means the symbol's staging is complete.
  await store.put(stagingKey(taskId, `${symbol}${RECORD_SUFFIX}`), JSON.stringify(record));
}

export async function readStagingRecord(store: BlobStore, taskId: string, symbol: string): Promise<SymbolStagingRecord> {
  return JSON.parse((await store.get(stagingKey(taskId, `${symbol}${RECORD_SUFFIX}`))).toString('utf8'));
}

export async function readStagedTrades(store: BlobStore, taskId: string, symbol: string): Promise<Table> {
  return tableFromIPC(await store.get(stagingKey(taskId, `${symbol}.signals.arrow`)));
}

export async function readStagedCurve(store: BlobStore, taskId: string, symbol: string): Promise<Table> {
  return tableFromIPC(await store.get(stagingKey(taskId, `${symbol}.curve.arrow`)));
}

/** Symbols whose staging is complete: what a running task has finished, readable without its workflow. */
export async function listStagedSymbols(store: BlobStore, taskId: string): Promise<string[]> {
  const names = await store.list(stagingDirectory(taskId));
  return names.filter((name) => name.endsWith(RECORD_SUFFIX)).map((name) => name.slice(0, -RECORD_SUFFIX.length));
}

export function removeStaging(store: BlobStore, taskId: string): Promise<void> {
  return store.remove(stagingDirectory(taskId));
}
