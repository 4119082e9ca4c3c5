/**
 * A sweep's working files in `sweeps/<sweep_id>/`: the plan (the request and each symbol's candles and folds),
 * the staged parts of rows written by chunk activities, and the out-of-sample runs. Parts cover fixed position
 * ranges of the combo-id list, so a chunk retried after a crash rewrites the very same parts, and the persist
 * step, on any worker, finds each row once.
 */
import { Field, Float64, Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { sweepDirectory } from '../contracts/sweep';
import type { SweepRequest } from '../contracts/sweepRequest';
import type { Fold, SweepRows } from '../engine/sweep';
import { summaryMetrics, type SummaryColumns, type SymbolSummary } from '../engine/types';
import { float64Data, tableOf } from '../shared/arrowColumns';
import { BlobNotFoundError, type BlobStore } from './providers';

/** Rows per staged part: a part takes well under a second to evaluate, the most a crash can cost per chunk. */
export const PART_ROWS = 256;

export interface SymbolPlan {
  symbol: string;
  candles: number;
  /** Epoch ms of the range's first and last candle. */
  first_candle: number;
  last_candle: number;
  data_files: { path: string; size_bytes: number; md5: string }[];
  /** Walk-forward folds (bar indices), with the epoch ms of the first and last candle of each part. */
  folds: (Fold & { in_sample_start_ms: number; in_sample_end_ms: number; out_of_sample_start_ms: number; out_of_sample_end_ms: number })[];
  /** Candles before a fold's out-of-sample part that its run reads first. */
  warmup_bars: number;
}

export interface SweepPlanFile {
  sweep_id: string;
  request: SweepRequest;
  combinations: number;
  evaluations: number;
  started_at: string;
  /** The strategy version the API validated the sweep against; every worker's activities check theirs against it. */
  strategy_version?: string;
  symbols: SymbolPlan[];
}

const planKey = (sweepId: string) => `${sweepDirectory(sweepId)}/plan.json`;
export const sweepStagingDirectory = (sweepId: string) => `${sweepDirectory(sweepId)}/staging`;

/** The segment a chunk evaluates: the whole range, or a fold's in-sample part. */
export const segmentName = (fold: number | null) => (fold === null ? 'all' : `fold-${fold}`);

const partsDirectory = (sweepId: string, symbol: string, fold: number | null) =>
  `${sweepStagingDirectory(sweepId)}/rows/${symbol}/${segmentName(fold)}`;

/** The part holding positions [position, position + PART_ROWS) of the combo-id list. */
export const partKey = (sweepId: string, symbol: string, fold: number | null, position: number) =>
  `${partsDirectory(sweepId, symbol, fold)}/${String(position).padStart(10, '0')}.arrow`;

export async function writePlan(store: BlobStore, plan: SweepPlanFile): Promise<void> {
  await store.put(planKey(plan.sweep_id), JSON.stringify(plan));
}

export async function readPlan(store: BlobStore, sweepId: string): Promise<SweepPlanFile> {
  return JSON.parse((await store.get(planKey(sweepId))).toString('utf8'));
}

const rowSchema = new Schema([
  new Field('combo_id', new Float64(), false),
  ...summaryMetrics.map((metric) => new Field(metric, new Float64(), false)),
]);

/** Rows [from, to) of `rows` as one staged part (combo id and every metric as float64, null as NaN). */
export async function writePart(store: BlobStore, key: string, rows: SweepRows, from: number, to: number): Promise<void> {
  const columns = [
    float64Data(rows.comboId.slice(from, to)),
    ...summaryMetrics.map((metric) => float64Data(rows.metrics[metric].slice(from, to))),
  ];
  await store.put(key, tableToIPC(tableOf(rowSchema, to - from, columns), 'file'));
}

/** The rows of these parts, one after another. */
export async function readParts(store: BlobStore, keys: string[]): Promise<SweepRows> {
  const tables: Table[] = await Promise.all(keys.map(async (key) => tableFromIPC(await store.get(key))));
  const length = tables.reduce((sum, table) => sum + table.numRows, 0);
  const comboId = new Float64Array(length);
  const metrics = {} as SummaryColumns;
  for (const metric of summaryMetrics) metrics[metric] = new Float64Array(length);
  let offset = 0;
  for (const table of tables) {
    comboId.set(table.getChild('combo_id')!.toArray() as Float64Array, offset);
    for (const metric of summaryMetrics) metrics[metric].set(table.getChild(metric)!.toArray() as Float64Array, offset);
    offset += table.numRows;
  }
  return { capacity: length, comboId, metrics };
}

/** Rows staged for one symbol and segment, in combo-id order, each combo once (a part rewritten by a retry is read once). */
export async function readStagedRows(store: BlobStore, sweepId: string, symbol: string, fold: number | null): Promise<SweepRows> {
  const directory = partsDirectory(sweepId, symbol, fold);
  const { comboId, metrics } = await readParts(
    store,
    (await store.list(directory)).map((name) => `${directory}/${name}`),
  );
  return sortedUnique(comboId, metrics);
}

/** Rows ordered by combo id, a duplicated combo kept once. */
function sortedUnique(comboId: Float64Array, metrics: SummaryColumns): SweepRows {
  const order = Uint32Array.from(comboId, (_, row) => row).sort((a, b) => comboId[a] - comboId[b] || a - b);
  const kept = order.filter((row, index) => index === 0 || comboId[row] !== comboId[order[index - 1]]);
  const sorted = { capacity: kept.length, comboId: Float64Array.from(kept, (row) => comboId[row]), metrics: {} as SummaryColumns };
  for (const metric of summaryMetrics) sorted.metrics[metric] = Float64Array.from(kept, (row) => metrics[metric][row]);
  return sorted;
}

/** Whether a part is staged already (a chunk retried after a crash evaluates it again). */
export async function isStaged(store: BlobStore, key: string): Promise<boolean> {
  return (await store.stat(key)) !== undefined;
}

/** One symbol's out-of-sample runs, stitched: per fold the chosen combination and its figures, and the curve. */
export interface OutOfSampleRecord {
  symbol: string;
  /** The metrics of the stitched curve. */
  stitched?: SymbolSummary;
  folds: {
    fold: number;
    combo_id: number;
    in_sample_objective: number | null;
    out_of_sample_objective: number | null;
    in_sample_return_pct: number;
    out_of_sample_return_pct: number;
  }[];
}

const outOfSampleKey = (sweepId: string, symbol: string, suffix: string) =>
  `${sweepStagingDirectory(sweepId)}/out-of-sample/${symbol}.${suffix}`;

export async function writeOutOfSample(store: BlobStore, sweepId: string, record: OutOfSampleRecord, curve: Table): Promise<void> {
  await store.put(outOfSampleKey(sweepId, record.symbol, 'curve.arrow'), tableToIPC(curve, 'file'));
  // The record last: its presence means the symbol's out-of-sample runs are complete.
  await store.put(outOfSampleKey(sweepId, record.symbol, 'json'), JSON.stringify(record));
}

export async function readOutOfSample(
  store: BlobStore,
  sweepId: string,
  symbol: string,
): Promise<{ record: OutOfSampleRecord; curve: Table } | undefined> {
  try {
    const record = JSON.parse((await store.get(outOfSampleKey(sweepId, symbol, 'json'))).toString('utf8')) as OutOfSampleRecord;
    return { record, curve: tableFromIPC(await store.get(outOfSampleKey(sweepId, symbol, 'curve.arrow'))) };
  } catch (error) {
    if (error instanceof BlobNotFoundError) return undefined;
    throw error;
  }
}
