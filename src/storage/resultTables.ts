/**
 * The three Parquet result tables (DESIGN.md section 7; seeds/result-storage-schema.ko.md 2.1-2.3):
 * their exact Arrow schemas, columnar builders from engine output, and the readers the API uses.
 *
 * Builders fill each column's typed array once and wrap it with `makeData`, so a million curve rows
 * cost a handful of allocations. Every field is nullable, as `pa.field` is by default in the seed.
 * Rows of one symbol are written contiguously (one builder part per symbol, symbols unique), which
 * is what lets the readers find a symbol's rows from the `symbol` column alone.
 */
import { Data, DataType, Field, Float64, Int32, Schema, Table, TimestampMicrosecond, Utf8, type Vector, makeData } from 'apache-arrow';
import { exitReasonCode, exitReasons, type EquityCurve, type SymbolSummary, type Trades } from '../engine/types';
import type { CurveRow, SummaryRow, TradeRow } from '../contracts/resultRows';
import { epochMsToMicros, float64Data, nullsWhere, rowNumbers, tableOf, utf8Data } from '../shared/arrowColumns';
import { readParquetColumns, type ParquetReadOptions } from '../shared/parquet';

const nullableField = (name: string, type: DataType) => new Field(name, type, true);

/** pa.timestamp('us'): microseconds, no time zone (values are UTC by convention). */
const timestampUs = () => new TimestampMicrosecond();

/** The three tables of a result, by file name without `.parquet`. */
export const RESULT_TABLES = ['symbol_summary', 'symbol_signals', 'performance_curve'] as const;
export type ResultTables = Record<(typeof RESULT_TABLES)[number], Table>;

export const symbolSummarySchema = new Schema([
  nullableField('symbol', new Utf8()),
  nullableField('win_rate', new Float64()),
  nullableField('avg_return', new Float64()),
  nullableField('max_return', new Float64()),
  nullableField('min_return', new Float64()),
  nullableField('max_drawdown', new Float64()),
  nullableField('avg_hold_bars', new Float64()),
  nullableField('total_signals', new Int32()),
  nullableField('winning_signals', new Int32()),
  nullableField('losing_signals', new Int32()),
  nullableField('total_pnl', new Float64()),
  nullableField('total_pnl_pct', new Float64()),
  // Beyond the seed's twelve columns: the extra metrics of DESIGN.md section 5, null where undefined.
  nullableField('sharpe', new Float64()),
  nullableField('sortino', new Float64()),
  nullableField('profit_factor', new Float64()),
  nullableField('expectancy', new Float64()),
  nullableField('exposure_pct', new Float64()),
  nullableField('cagr', new Float64()),
  nullableField('buy_and_hold_return_pct', new Float64()),
]);

export const symbolSignalsSchema = new Schema([
  nullableField('symbol', new Utf8()),
  nullableField('signal_index', new Int32()),
  nullableField('timestamp', timestampUs()),
  nullableField('type', new Utf8()),
  nullableField('entry_price', new Float64()),
  nullableField('exit_price', new Float64()),
  nullableField('quantity', new Float64()),
  nullableField('return_pct', new Float64()),
  nullableField('hold_bars', new Int32()),
  nullableField('fee_amount', new Float64()),
  nullableField('slippage_amount', new Float64()),
  nullableField('status', new Utf8()),
  // Beyond the seed's twelve columns: why the trade ended and when (DESIGN.md section 14); the exit bar's open time,
  // null while the trade is open. Files written before exit_timestamp existed read it as null.
  nullableField('exit_reason', new Utf8()),
  nullableField('exit_timestamp', timestampUs()),
]);

export const performanceCurveSchema = new Schema([
  nullableField('symbol', new Utf8()),
  nullableField('idx', new Int32()),
  nullableField('timestamp', timestampUs()),
  nullableField('equity', new Float64()),
  nullableField('drawdown', new Float64()),
  nullableField('cumulative_pnl', new Float64()),
  nullableField('cumulative_pnl_pct', new Float64()),
]);

// ---------------------------------------------------------------------------------------------
// Builders

export function buildSymbolSummaryTable(rows: { symbol: string; summary: SymbolSummary }[]): Table {
  assertUniqueSymbols(rows);
  const length = rows.length;
  const columns = symbolSummarySchema.fields.map((field) => {
    if (field.name === 'symbol')
      return utf8Data(
        rows.map((row) => row.symbol),
        rowNumbers(length),
      );
    const key = field.name as keyof SymbolSummary;
    if (DataType.isInt(field.type)) {
      return makeData({ type: new Int32(), length, data: Int32Array.from(rows, (row) => row.summary[key] ?? 0) });
    }
    return float64Data(
      Float64Array.from(rows, (row) => row.summary[key] ?? NaN),
      true,
    );
  });
  return tableOf(symbolSummarySchema, length, columns);
}

/**
 * One row per trade. `timestamp` is the entry bar's open time, `exit_timestamp` the exit bar's. An open trade
 * (exitIndex -1) gets status "open", a null exit_price and exit_timestamp, and hold_bars = bars from its entry to
 * the last bar of the data (the span it has been held so far), whatever the engine put in holdBars.
 */
export function buildSymbolSignalsTable(parts: { symbol: string; timestamps: Float64Array; trades: Trades }[]): Table {
  assertUniqueSymbols(parts);
  const length = parts.reduce((sum, part) => sum + part.trades.count, 0);
  const symbolCodes = new Int32Array(length);
  const signalIndex = new Int32Array(length);
  const timestamp = new BigInt64Array(length);
  const entryPrice = new Float64Array(length);
  const exitPrice = new Float64Array(length);
  const quantity = new Float64Array(length);
  const returnPct = new Float64Array(length);
  const holdBars = new Int32Array(length);
  const feeAmount = new Float64Array(length);
  const slippageAmount = new Float64Array(length);
  const statusCodes = new Int32Array(length);
  const typeCodes = new Int32Array(length);
  const exitReasonCodes = new Int32Array(length);
  const exitTimestamp = new BigInt64Array(length);

  let row = 0;
  for (let p = 0; p < parts.length; p++) {
    const { timestamps, trades } = parts[p];
    const count = trades.count;
    const lastBar = timestamps.length - 1;
    // Columns copied as they are.
    entryPrice.set(trades.entryPrice.subarray(0, count), row);
    exitPrice.set(trades.exitPrice.subarray(0, count), row);
    quantity.set(trades.quantity.subarray(0, count), row);
    returnPct.set(trades.returnPct.subarray(0, count), row);
    feeAmount.set(trades.feeAmount.subarray(0, count), row);
    slippageAmount.set(trades.slippageAmount.subarray(0, count), row);
    symbolCodes.fill(p, row, row + count);
    typeCodes.fill(trades.direction === 'short' ? SELL : BUY, row, row + count);
    // Columns derived per trade.
    for (let k = 0; k < count; k++, row++) {
      const entry = trades.entryIndex[k];
      const exit = trades.exitIndex[k];
      const isOpen = exit === -1;
      signalIndex[row] = k + 1;
      timestamp[row] = epochMsToMicros(timestamps[entry]);
      if (!isOpen) exitTimestamp[row] = epochMsToMicros(timestamps[exit]);
      holdBars[row] = isOpen ? lastBar - entry : trades.holdBars[k];
      statusCodes[row] = isOpen ? OPEN : CLOSED;
      // Trades built before exit reasons existed ended by their hold period, or at the end of the data.
      exitReasonCodes[row] = trades.exitReason ? trades.exitReason[k] : isOpen ? END_OF_DATA : HOLD;
    }
  }

  return tableOf(symbolSignalsSchema, length, [
    utf8Data(
      parts.map((part) => part.symbol),
      symbolCodes,
    ),
    makeData({ type: new Int32(), length, data: signalIndex }),
    makeData({ type: timestampUs(), length, data: timestamp }),
    utf8Data(TRADE_TYPES, typeCodes),
    float64Data(entryPrice),
    float64Data(exitPrice, true),
    float64Data(quantity),
    float64Data(returnPct),
    makeData({ type: new Int32(), length, data: holdBars }),
    float64Data(feeAmount),
    float64Data(slippageAmount),
    utf8Data(TRADE_STATUSES, statusCodes),
    utf8Data(exitReasons, exitReasonCodes),
    makeData({ type: timestampUs(), length, data: exitTimestamp, ...nullsWhere(length, (row) => statusCodes[row] === OPEN) }),
  ]);
}

/** One row per symbol and bar; idx is the bar number within the symbol, from 0. */
export function buildPerformanceCurveTable(parts: { symbol: string; timestamps: Float64Array; curve: EquityCurve }[]): Table {
  assertUniqueSymbols(parts);
  for (const { symbol, timestamps, curve } of parts) {
    if (timestamps.length !== curve.length) {
      throw new RangeError(`curve of ${symbol}: got ${curve.length} points, expected ${timestamps.length} (one per bar)`);
    }
  }
  const length = parts.reduce((sum, part) => sum + part.curve.length, 0);
  const symbolCodes = new Int32Array(length);
  const idx = new Int32Array(length);
  const timestamp = new BigInt64Array(length);
  const equity = new Float64Array(length);
  const drawdown = new Float64Array(length);
  const cumulativePnl = new Float64Array(length);
  const cumulativePnlPct = new Float64Array(length);

  let row = 0;
  for (let p = 0; p < parts.length; p++) {
    const { timestamps, curve } = parts[p];
    const count = curve.length;
    equity.set(curve.equity.subarray(0, count), row);
    drawdown.set(curve.drawdown.subarray(0, count), row);
    cumulativePnl.set(curve.cumulativePnl.subarray(0, count), row);
    cumulativePnlPct.set(curve.cumulativePnlPct.subarray(0, count), row);
    symbolCodes.fill(p, row, row + count);
    for (let bar = 0; bar < count; bar++, row++) {
      idx[row] = bar;
      timestamp[row] = epochMsToMicros(timestamps[bar]);
    }
  }

  return tableOf(performanceCurveSchema, length, [
    utf8Data(
      parts.map((part) => part.symbol),
      symbolCodes,
    ),
    makeData({ type: new Int32(), length, data: idx }),
    makeData({ type: timestampUs(), length, data: timestamp }),
    float64Data(equity),
    float64Data(drawdown),
    float64Data(cumulativePnl),
    float64Data(cumulativePnlPct),
  ]);
}

const TRADE_STATUSES = ['closed', 'open'];
const CLOSED = 0;
const OPEN = 1;
/** Entries of long positions buy, of short positions sell. */
const TRADE_TYPES = ['buy', 'sell'];
const BUY = 0;
const SELL = 1;
const HOLD = exitReasonCode.hold;
const END_OF_DATA = exitReasonCode.end_of_data;

function assertUniqueSymbols(parts: readonly { symbol: string }[]): void {
  const seen = new Set<string>();
  for (const { symbol } of parts) {
    if (seen.has(symbol)) throw new RangeError(`symbol ${symbol} given twice, expected one part per symbol`);
    seen.add(symbol);
  }
}

// ---------------------------------------------------------------------------------------------
// Readers

/**
 * Where a reader takes a table from: a Parquet file's bytes (decoded with projection and row ranges), or
 * a table already in memory (a result.json converted in `json-only` storage), read the same way.
 */
export type TableInput = Uint8Array | Table;

async function readTable(input: TableInput, { columns, offset = 0, limit }: ParquetReadOptions = {}): Promise<Table> {
  if (input instanceof Uint8Array) return readParquetColumns(input, { columns, offset, limit });
  const projected = columns ? input.select(columns) : input;
  return projected.slice(offset, limit === undefined ? undefined : offset + limit);
}

export async function readSymbolSummary(input: TableInput): Promise<SummaryRow[]> {
  return tableRows<SummaryRow>(await readTable(input));
}

/** Which column to sort trades by, and which way. */
export interface TradeSort {
  column: keyof TradeRow;
  descending: boolean;
}

/**
 * A page of trades, of one symbol or of all; `total` counts every matching trade. In file order,
 * only the `symbol` column and the rows of the page are read. With `sort`, every matching trade is
 * ordered by that column (nulls last either way, ties in file order) before the page is cut, so
 * the page is a slice of the global order, not a sorted page.
 */
export async function readSymbolSignals(
  input: TableInput,
  {
    symbol,
    offset = 0,
    limit = Number.MAX_SAFE_INTEGER,
    sort,
  }: { symbol?: string; offset?: number; limit?: number; sort?: TradeSort } = {},
): Promise<{ rows: TradeRow[]; total: number }> {
  assertNonNegativeInteger('offset', offset);
  assertNonNegativeInteger('limit', limit);
  const range = await locateRows(input, symbol);
  if (range === undefined) return { rows: [], total: 0 };
  const total = range.end - range.start;
  const pageLength = Math.min(limit, total - offset);
  if (pageLength <= 0) return { rows: [], total };
  if (sort === undefined) {
    const page = await readRows(input, { start: range.start + offset, end: range.start + offset + pageLength });
    return { rows: tradeRows(page), total };
  }
  // Any matching row may land on the page: load them all once, order them by the sort column
  // alone, and build row objects for the page only. A column the file predates sorts as all null.
  const matching = await readRows(input, range);
  const sortColumn = matching.getChild(sort.column);
  const keys = sortColumn ? sortKeys(sortColumn) : new Float64Array(matching.numRows).fill(NaN);
  const order = sortedRowOrder(keys, sort.descending);
  return { rows: tradeRows(matching, Array.from(order.subarray(offset, offset + pageLength))), total };
}

/** Columns of symbol_signals added after files were first written: missing from an older file, they read as null. */
const LATER_TRADE_COLUMNS = ['exit_timestamp'] as const;

function tradeRows(table: Table, rowIndices?: readonly number[]): TradeRow[] {
  const rows = tableRows<TradeRow>(table, rowIndices);
  for (const name of LATER_TRADE_COLUMNS) {
    if (table.getChild(name) === null) for (const row of rows) row[name] = null;
  }
  return rows;
}

/**
 * The equity curve of one symbol (only its rows are read) or of all. With `maxPoints`, each symbol's
 * curve is downsampled to at most that many points (see `downsampledRowIndices`).
 */
export async function readPerformanceCurve(
  input: TableInput,
  { symbol, maxPoints }: { symbol?: string; maxPoints?: number } = {},
): Promise<CurveRow[]> {
  if (maxPoints !== undefined && !(Number.isInteger(maxPoints) && maxPoints >= 2)) {
    throw new RangeError(`maxPoints: got ${maxPoints}, expected an integer >= 2`);
  }
  let table: Table;
  if (symbol === undefined) {
    table = await readTable(input);
  } else {
    const range = await locateRows(input, symbol);
    if (range === undefined) return [];
    table = await readRows(input, range);
  }
  if (maxPoints === undefined) return tableRows<CurveRow>(table);

  const equity = table.getChild('equity')!.toArray() as Float64Array;
  const rowIndices = symbolRuns(table).flatMap((run) => downsampledRowIndices(equity, run.start, run.end, maxPoints));
  return tableRows<CurveRow>(table, rowIndices);
}

/** Rows [start, end) of one symbol (undefined if absent) or of the whole file, from the `symbol` column alone. */
async function locateRows(input: TableInput, symbol: string | undefined): Promise<RowRange | undefined> {
  const symbols = await readTable(input, { columns: ['symbol'] });
  if (symbol === undefined) return { start: 0, end: symbols.numRows };
  return symbolRuns(symbols).find((run) => run.symbol === symbol);
}

function readRows(input: TableInput, { start, end }: RowRange): Promise<Table> {
  return readTable(input, { offset: start, limit: end - start });
}

/**
 * One number per row to sort by, NaN for null: numbers as they are, timestamps in epoch ms, text
 * by the rank of its value among the column's distinct values (few: symbols, statuses).
 */
function sortKeys(vector: Vector): Float64Array {
  const keys = new Float64Array(vector.length);
  let row = 0;
  if (DataType.isUtf8(vector.type)) {
    const distinct = [...new Set<string | null>(vector)].filter((value) => value !== null).sort();
    const rank = new Map(distinct.map((value, index) => [value, index]));
    for (const value of vector) keys[row++] = value === null ? NaN : rank.get(value)!;
  } else {
    for (const value of vector) keys[row++] = value === null ? NaN : Number(value);
  }
  return keys;
}

/** Row indices ordered by `keys`: NaN (null) last whichever the direction, ties in row order. */
function sortedRowOrder(keys: Float64Array, descending: boolean): Uint32Array {
  const direction = descending ? -1 : 1;
  return Uint32Array.from(keys, (_, row) => row).sort((a, b) => {
    const aIsNull = Number.isNaN(keys[a]);
    const bIsNull = Number.isNaN(keys[b]);
    if (aIsNull !== bIsNull) return aIsNull ? 1 : -1;
    // Equal keys, both null, or both the same infinity (whose difference is NaN): by row.
    return (aIsNull ? 0 : (keys[a] - keys[b]) * direction) || a - b;
  });
}

/**
 * At most `maxPoints` row indices of [start, end), ascending: the first and last rows always, and
 * between them, in equal buckets, each bucket's lowest- and highest-equity rows. Keeping both
 * extremes (rather than every n-th row) preserves the troughs and peaks the drawdown is read from,
 * the curve's minimum included.
 */
export function downsampledRowIndices(equity: Float64Array, start: number, end: number, maxPoints: number): number[] {
  const length = end - start;
  if (length <= maxPoints) return Array.from({ length }, (_, i) => start + i);
  const interior = length - 2;
  const bucketCount = Math.floor((maxPoints - 2) / 2);
  const picked = [start];
  // Per bucket: one pass for the lowest and highest equity, kept in time order.
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const from = start + 1 + Math.floor((bucket * interior) / bucketCount);
    const to = start + 1 + Math.floor(((bucket + 1) * interior) / bucketCount);
    let lowest = from;
    let highest = from;
    for (let i = from + 1; i < to; i++) {
      if (equity[i] < equity[lowest]) lowest = i;
      if (equity[i] > equity[highest]) highest = i;
    }
    if (lowest === highest) picked.push(lowest);
    else picked.push(Math.min(lowest, highest), Math.max(lowest, highest));
  }
  picked.push(end - 1);
  return picked;
}

interface RowRange {
  start: number;
  end: number;
}

/** A maximal block of consecutive rows [start, end) with the same symbol. */
interface SymbolRun extends RowRange {
  symbol: string;
}

/** Splits a table's `symbol` column into runs, comparing UTF-8 bytes in place: one decode per run. */
function symbolRuns(table: Table): SymbolRun[] {
  const decoder = new TextDecoder();
  const runs: SymbolRun[] = [];
  let runBytes = new Uint8Array(0);
  let row = 0;
  for (const chunk of table.getChild('symbol')!.data as Data<Utf8>[]) {
    const { valueOffsets, values } = chunk;
    for (let i = 0; i < chunk.length; i++, row++) {
      const from = valueOffsets[i];
      const to = valueOffsets[i + 1];
      if (runs.length > 0 && bytesEqualAt(values, from, to, runBytes)) continue;
      if (runs.length > 0) runs[runs.length - 1].end = row;
      runBytes = values.slice(from, to);
      runs.push({ symbol: decoder.decode(runBytes), start: row, end: row });
    }
  }
  if (runs.length > 0) runs[runs.length - 1].end = row;
  return runs;
}

/** Whether `values[from, to)` equals `expected`. */
function bytesEqualAt(values: Uint8Array, from: number, to: number, expected: Uint8Array): boolean {
  if (to - from !== expected.length) return false;
  for (let j = 0; j < expected.length; j++) if (values[from + j] !== expected[j]) return false;
  return true;
}

/** Plain row objects in schema order; timestamps become ISO 8601 strings, nulls stay null. */
function tableRows<Row>(table: Table, rowIndices?: readonly number[]): Row[] {
  const columns = table.schema.fields.map((field) => ({
    name: field.name,
    vector: table.getChild(field.name)!,
    isTimestamp: DataType.isTimestamp(field.type),
  }));
  const indices = rowIndices ?? Array.from({ length: table.numRows }, (_, i) => i);
  return indices.map((i) => {
    const row: Record<string, unknown> = {};
    for (const { name, vector, isTimestamp } of columns) {
      const value = vector.get(i);
      row[name] = isTimestamp && value !== null ? new Date(value).toISOString() : value;
    }
    return row as Row;
  });
}

function assertNonNegativeInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${name}: got ${value}, expected an integer >= 0`);
}
