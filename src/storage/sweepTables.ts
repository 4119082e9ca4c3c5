/**
 * The Parquet tables of a sweep (DESIGN.md section 12): sweep_results (one row per symbol x combination, per
 * fold with walk-forward), combo_summary (one row per combination), walk_forward (one row per symbol x fold)
 * and oos_curve (the stitched out-of-sample curve, the columns of performance_curve). Swept parameters become
 * columns of their own: int64, float64, bool or utf8 by the parameter's type.
 */
import { Bool, Data, DataType, Field, Float64, Int32, Int64, makeData, Schema, Table, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import { comboParams, type GridLayout } from '../engine/sweep';
import { summaryMetrics, type SummaryColumns } from '../engine/types';
import { epochMsToMicros, float64Data, tableOf, utf8Data } from '../shared/arrowColumns';
import { symbolSummarySchema } from './resultTables';

export type ParamColumnType = 'int64' | 'float64' | 'bool' | 'utf8';

/** A swept parameter's column: its name and type. */
export interface ParamColumn {
  name: string;
  type: ParamColumnType;
}

const arrowType = (type: ParamColumnType): DataType =>
  type === 'int64' ? new Int64() : type === 'float64' ? new Float64() : type === 'bool' ? new Bool() : new Utf8();

const nullableField = (name: string, type: DataType) => new Field(name, type, true);

/** The metric columns as symbol_summary.parquet has them (same names and types). */
const metricFields = symbolSummarySchema.fields.filter((field) => field.name !== 'symbol');

/** Column of `length` values taken from each combo's parameter value. */
function paramData(column: ParamColumn, layout: GridLayout, comboIds: ArrayLike<number>): Data {
  const length = comboIds.length;
  const valueOf = (row: number) => comboParams(layout, comboIds[row])[column.name];
  if (column.type === 'utf8') {
    const values = layout.values[layout.names.indexOf(column.name)].map(String);
    return utf8Data(
      values,
      Int32Array.from({ length }, (_, row) => values.indexOf(String(valueOf(row)))),
    );
  }
  if (column.type === 'bool') {
    const bits = new Uint8Array((length + 7) >> 3);
    for (let row = 0; row < length; row++) if (valueOf(row) === true) bits[row >> 3] |= 1 << (row & 7);
    return makeData({ type: new Bool(), length, data: bits });
  }
  if (column.type === 'int64') {
    return makeData({ type: new Int64(), length, data: BigInt64Array.from({ length }, (_, row) => BigInt(valueOf(row) as number)) });
  }
  return float64Data(Float64Array.from({ length }, (_, row) => valueOf(row) as number));
}

/** A metric column as symbol_summary types it: int32 counts, float64 figures (NaN = null for the extra metrics). */
function metricData(field: Field, values: Float64Array): Data {
  if (DataType.isInt(field.type)) return makeData({ type: new Int32(), length: values.length, data: Int32Array.from(values) });
  return float64Data(values, true);
}

const int64Data = (values: ArrayLike<number>) =>
  makeData({ type: new Int64(), length: values.length, data: BigInt64Array.from({ length: values.length }, (_, i) => BigInt(values[i])) });

/** Rows of one symbol and segment, ranked within it. */
export interface RankedRows {
  symbol: string;
  /** null: the whole range; k: fold k's in-sample part. */
  fold: number | null;
  comboId: Float64Array;
  metrics: SummaryColumns;
  /** 1-based rank within the symbol and segment. */
  rank: Int32Array;
}

/** sweep_results.parquet: symbol, fold, combo_id, the swept parameters, the summary metrics, rank. */
export function buildSweepResultsTable(parts: RankedRows[], layout: GridLayout, params: ParamColumn[]): Table {
  const length = parts.reduce((sum, part) => sum + part.comboId.length, 0);
  const symbols = [...new Set(parts.map((part) => part.symbol))];
  const symbolCodes = new Int32Array(length);
  const fold = new Int32Array(length);
  const foldNulls = new Uint8Array((length + 7) >> 3);
  const comboId = new Float64Array(length);
  const rank = new Int32Array(length);
  const metrics = {} as SummaryColumns;
  for (const metric of summaryMetrics) metrics[metric] = new Float64Array(length);
  let offset = 0;
  // each part's rows one after another, columns copied whole
  for (const part of parts) {
    const count = part.comboId.length;
    symbolCodes.fill(symbols.indexOf(part.symbol), offset, offset + count);
    if (part.fold !== null) {
      fold.fill(part.fold, offset, offset + count);
      for (let row = offset; row < offset + count; row++) foldNulls[row >> 3] |= 1 << (row & 7);
    }
    comboId.set(part.comboId, offset);
    rank.set(part.rank, offset);
    for (const metric of summaryMetrics) metrics[metric].set(part.metrics[metric], offset);
    offset += count;
  }
  const nullFolds = parts.some((part) => part.fold === null);
  const schema = new Schema([
    nullableField('symbol', new Utf8()),
    nullableField('fold', new Int32()),
    nullableField('combo_id', new Int64()),
    ...params.map((param) => nullableField(param.name, arrowType(param.type))),
    ...metricFields,
    nullableField('rank', new Int32()),
  ]);
  return tableOf(schema, length, [
    utf8Data(symbols, symbolCodes),
    makeData({ type: new Int32(), length, data: fold, ...(nullFolds ? { nullBitmap: foldNulls } : {}) }),
    int64Data(comboId),
    ...params.map((param) => paramData(param, layout, comboId)),
    ...metricFields.map((field) => metricData(field, metrics[field.name as keyof SummaryColumns])),
    makeData({ type: new Int32(), length, data: rank }),
  ]);
}

/** One row per combination, aggregated over symbols (and folds). */
export interface ComboSummary {
  comboId: Float64Array;
  objectiveMean: Float64Array;
  objectiveMin: Float64Array;
  tradesTotal: Float64Array;
  symbolsRankedFirst: Int32Array;
  rank: Int32Array;
}

/** combo_summary.parquet: combo_id, the swept parameters, objective_mean, objective_min, trades_total, symbols_ranked_first, rank. */
export function buildComboSummaryTable(summary: ComboSummary, layout: GridLayout, params: ParamColumn[]): Table {
  const length = summary.comboId.length;
  const schema = new Schema([
    nullableField('combo_id', new Int64()),
    ...params.map((param) => nullableField(param.name, arrowType(param.type))),
    nullableField('objective_mean', new Float64()),
    nullableField('objective_min', new Float64()),
    nullableField('trades_total', new Int64()),
    nullableField('symbols_ranked_first', new Int32()),
    nullableField('rank', new Int32()),
  ]);
  return tableOf(schema, length, [
    int64Data(summary.comboId),
    ...params.map((param) => paramData(param, layout, summary.comboId)),
    float64Data(summary.objectiveMean, true),
    float64Data(summary.objectiveMin, true),
    int64Data(summary.tradesTotal),
    makeData({ type: new Int32(), length, data: summary.symbolsRankedFirst }),
    makeData({ type: new Int32(), length, data: summary.rank }),
  ]);
}

/** One fold of one symbol: its boundaries (epoch ms of the first and last candle of each part), choice and figures. */
export interface WalkForwardRow {
  symbol: string;
  fold: number;
  in_sample_start: number;
  in_sample_end: number;
  out_of_sample_start: number;
  out_of_sample_end: number;
  combo_id: number;
  in_sample_objective: number | null;
  out_of_sample_objective: number | null;
  in_sample_return_pct: number;
  out_of_sample_return_pct: number;
}

const timestampUtc = () => new TimestampMicrosecond('UTC');

/** walk_forward.parquet: one row per symbol and fold. */
export function buildWalkForwardTable(rows: WalkForwardRow[], layout: GridLayout, params: ParamColumn[]): Table {
  const length = rows.length;
  const symbols = [...new Set(rows.map((row) => row.symbol))];
  const comboIds = rows.map((row) => row.combo_id);
  const timestamps = (key: 'in_sample_start' | 'in_sample_end' | 'out_of_sample_start' | 'out_of_sample_end') =>
    makeData({ type: timestampUtc(), length, data: BigInt64Array.from(rows, (row) => epochMsToMicros(row[key])) });
  const numbers = (key: 'in_sample_objective' | 'out_of_sample_objective' | 'in_sample_return_pct' | 'out_of_sample_return_pct') =>
    float64Data(
      Float64Array.from(rows, (row) => row[key] ?? NaN),
      true,
    );
  const schema = new Schema([
    nullableField('symbol', new Utf8()),
    nullableField('fold', new Int32()),
    nullableField('in_sample_start', timestampUtc()),
    nullableField('in_sample_end', timestampUtc()),
    nullableField('out_of_sample_start', timestampUtc()),
    nullableField('out_of_sample_end', timestampUtc()),
    nullableField('combo_id', new Int64()),
    ...params.map((param) => nullableField(param.name, arrowType(param.type))),
    nullableField('in_sample_objective', new Float64()),
    nullableField('out_of_sample_objective', new Float64()),
    nullableField('in_sample_return_pct', new Float64()),
    nullableField('out_of_sample_return_pct', new Float64()),
  ]);
  return tableOf(schema, length, [
    utf8Data(
      symbols,
      Int32Array.from(rows, (row) => symbols.indexOf(row.symbol)),
    ),
    makeData({ type: new Int32(), length, data: Int32Array.from(rows, (row) => row.fold) }),
    timestamps('in_sample_start'),
    timestamps('in_sample_end'),
    timestamps('out_of_sample_start'),
    timestamps('out_of_sample_end'),
    int64Data(comboIds),
    ...params.map((param) => paramData(param, layout, comboIds)),
    numbers('in_sample_objective'),
    numbers('out_of_sample_objective'),
    numbers('in_sample_return_pct'),
    numbers('out_of_sample_return_pct'),
  ]);
}
