/**
 * One year file of candles: Parquet bytes <-> `Candles`, validated row by row. Reading is built for
 * speed (DESIGN.md section 10: >= 5M candles/s): whole Arrow buffers are viewed or copied in bulk and
 * no per-row object is made.
 */
import {
  DataType,
  Float64,
  makeData,
  makeVector,
  Precision,
  Table,
  TimestampMicrosecond,
  TimeUnit,
  Utf8,
  type Vector,
} from 'apache-arrow';
import type { Candles } from '../engine/types';
import { parquetToTable, tableToParquet, type ParquetRowSelection } from '../shared/parquet';
import { candleColumnNames, lowerBound } from '../engine/candles';
import { describeInvalidRow, findInvalidCandle } from './candleRules';
import { formatTimestamp, yearStart } from './layout';
import { MarketDataError } from './marketDataError';

/**
 * Decodes and validates `{year}.parquet`: every row must pass the candle rules and fall in that UTC year.
 * `path` (relative to the store root) names the file in errors.
 */
export function decodeCandleFile(bytes: Uint8Array, path: string, year: number): Candles {
  const candles = tableToCandles(decodeParquet(bytes, path), path);
  assertValidCandles(candles, path, year);
  return candles;
}

/** Parquet bytes -> Arrow table, any decoder failure reported as a corrupt file. */
export function decodeParquet(bytes: Uint8Array, path: string, rows?: ParquetRowSelection): Table {
  try {
    return parquetToTable(bytes, rows);
  } catch (error) {
    throw corruptFileError(path, error);
  }
}

export function corruptFileError(path: string, cause: unknown): MarketDataError {
  return new MarketDataError('corrupt_file', `not a readable Parquet file (${(cause as Error).message})`, { file: path });
}

function assertValidCandles(candles: Candles, path: string, year: number): void {
  const badRow = findInvalidCandle(candles, -Infinity);
  if (badRow >= 0) {
    throw new MarketDataError('invalid_data', describeInvalidRow(candles, badRow, -Infinity), { file: path, row: badRow });
  }
  // Sorted, so only the ends can leave the year: a misfiled candle would be missed by range reads.
  const nextYear = yearStart(year + 1);
  const outsideRow = candles.timestamp[0] < yearStart(year) ? 0 : lowerBound(candles.timestamp, candles.length, nextYear);
  if (outsideRow < candles.length) {
    const reason = `timestamp ${formatTimestamp(candles.timestamp[outsideRow])} is outside ${year} (a year file holds that UTC year only)`;
    throw new MarketDataError('invalid_data', reason, { file: path, row: outsideRow });
  }
}

/** The six candle columns of a decoded file; other columns are ignored. */
export function tableToCandles(table: Table, path: string): Candles {
  const present = new Set(table.schema.fields.map((field) => field.name));
  const missing = candleColumnNames.filter((name) => !present.has(name));
  if (missing.length > 0) {
    const reason = `missing column ${missing.join(', ')} (columns found: ${[...present].join(', ') || 'none'})`;
    throw new MarketDataError('missing_column', reason, { file: path });
  }
  return {
    length: table.numRows,
    timestamp: timestampColumn(table.getChild('timestamp')!, path),
    open: float64Column(table.getChild('open')!, 'open', path),
    high: float64Column(table.getChild('high')!, 'high', path),
    low: float64Column(table.getChild('low')!, 'low', path),
    close: float64Column(table.getChild('close')!, 'close', path),
    volume: float64Column(table.getChild('volume')!, 'volume', path),
  };
}

function float64Column(vector: Vector, name: string, path: string): Float64Array {
  const { type } = vector;
  if (!DataType.isFloat(type) || type.precision !== Precision.DOUBLE) {
    throw new MarketDataError('invalid_data', `column ${name} has type ${type}, expected float64`, { file: path });
  }
  assertNoNulls(vector, name, path);
  // One chunk (the usual case): view the Arrow buffer instead of copying it.
  if (vector.data.length === 1) return (vector.data[0].values as Float64Array).subarray(0, vector.length);
  const column = new Float64Array(vector.length);
  let offset = 0;
  for (const chunk of vector.data) {
    column.set((chunk.values as Float64Array).subarray(0, chunk.length), offset);
    offset += chunk.length;
  }
  return column;
}

/** Column units per millisecond; Parquet timestamps come in ms, us or ns, and plain int64 is read as epoch ms. */
const unitsPerMillisecond: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 1e-3,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1e3,
  [TimeUnit.NANOSECOND]: 1e6,
};

function timestampColumn(vector: Vector, path: string): Float64Array {
  const { type } = vector;
  // A missing timezone means UTC (DESIGN.md section 4), so the zone itself needs no handling.
  const divisor = DataType.isTimestamp(type)
    ? unitsPerMillisecond[type.unit]
    : DataType.isInt(type) && type.bitWidth === 64
      ? 1
      : undefined;
  if (divisor === undefined) {
    const reason = `column timestamp has type ${type}, expected a Parquet timestamp (ms, us or ns) or int64 epoch milliseconds`;
    throw new MarketDataError('invalid_data', reason, { file: path });
  }
  assertNoNulls(vector, 'timestamp', path);
  const epochMs = new Float64Array(vector.length);
  let offset = 0;
  for (const chunk of vector.data) {
    int64ToEpochMs(chunk.values as BigInt64Array, chunk.length, divisor, epochMs, offset);
    offset += chunk.length;
  }
  return epochMs;
}

/**
 * Converts int64 values to numbers through their two 32-bit halves, far faster than `Number(bigint)`.
 * Rounding absorbs the float error of nanosecond values, which exceed 2^53.
 */
function int64ToEpochMs(values: BigInt64Array, length: number, divisor: number, out: Float64Array, outOffset: number): void {
  const words = new Int32Array(values.buffer, values.byteOffset, length * 2);
  for (let row = 0, word = 0; row < length; row++, word += 2) {
    out[outOffset + row] = Math.round((words[word + 1] * 4294967296 + (words[word] >>> 0)) / divisor);
  }
}

function assertNoNulls(vector: Vector, name: string, path: string): void {
  if (vector.nullCount === 0) return;
  let row = 0;
  while (vector.isValid(row)) row++;
  throw new MarketDataError('invalid_data', `${name} is null`, { file: path, row });
}

/** A year file's bytes in the layout's schema (timestamp[us, UTC], symbol, timeframe, OHLCV float64; Snappy). */
export function encodeCandleFile(candles: Candles, symbol: string, timeframe: string): Uint8Array {
  return tableToParquet(candlesToTable(candles, symbol, timeframe), 'snappy');
}

function candlesToTable(candles: Candles, symbol: string, timeframe: string): Table {
  const { length } = candles;
  const microseconds = new BigInt64Array(length);
  for (let row = 0; row < length; row++) microseconds[row] = BigInt(Math.round(candles.timestamp[row] * 1000));
  const float64 = (values: Float64Array) => makeVector(makeData({ type: new Float64(), length, data: values.subarray(0, length) }));
  return new Table({
    timestamp: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length, data: microseconds })),
    symbol: repeatedString(symbol, length),
    timeframe: repeatedString(timeframe, length),
    open: float64(candles.open),
    high: float64(candles.high),
    low: float64(candles.low),
    close: float64(candles.close),
    volume: float64(candles.volume),
  });
}

/** A Utf8 column holding one value on every row, built from offsets without making `length` strings. */
function repeatedString(value: string, length: number): Vector<Utf8> {
  const encoded = new TextEncoder().encode(value);
  const data = new Uint8Array(encoded.length * length);
  const valueOffsets = new Int32Array(length + 1);
  for (let row = 0; row < length; row++) {
    data.set(encoded, row * encoded.length);
    valueOffsets[row + 1] = (row + 1) * encoded.length;
  }
  return makeVector(makeData({ type: new Utf8(), length, data, valueOffsets }));
}
