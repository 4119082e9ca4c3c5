/** Builders for market-data tests: temporary data roots and hand-made (often broken) Parquet files. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  Float64,
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { tableToParquet } from '../../../src/shared/parquet';

export const DAY_MS = 86_400_000;

export async function createDataRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'market-data-test-'));
}

export async function removeDataRoot(dataRoot: string): Promise<void> {
  await rm(dataRoot, { recursive: true, force: true });
}

/** Plain candle rows, column by column, easy to break one value at a time (null writes a null). */
export interface CandleRows {
  timestamp: number[];
  open: (number | null)[];
  high: (number | null)[];
  low: (number | null)[];
  close: (number | null)[];
  volume: (number | null)[];
}

/** `count` valid daily candles from `firstDay` (epoch ms), every one open 100, high 105, low 95, close 102. */
export function validRows(count: number, firstDay = Date.UTC(2023, 0, 1), stepMs = DAY_MS): CandleRows {
  const column = (value: number): (number | null)[] => Array.from({ length: count }, () => value);
  return {
    timestamp: Array.from({ length: count }, (_, index) => firstDay + index * stepMs),
    open: column(100),
    high: column(105),
    low: column(95),
    close: column(102),
    volume: column(10),
  };
}

export type TimestampEncoding = 'ms' | 'us' | 'ns' | 'int64_ms';

export interface TableOptions {
  timestampEncoding?: TimestampEncoding;
  /** Timezone of the timestamp type; null writes a tz-naive timestamp. */
  timezone?: string | null;
  /** Columns to leave out. */
  omit?: string[];
}

const unitsPerMillisecond = { ms: 1n, us: 1_000n, ns: 1_000_000n, int64_ms: 1n };

function timestampVector(timestamps: number[], encoding: TimestampEncoding, timezone: string | null): Vector {
  const data = BigInt64Array.from(timestamps, (ms) => BigInt(ms) * unitsPerMillisecond[encoding]);
  const zone = timezone ?? undefined;
  const type =
    encoding === 'ms'
      ? new TimestampMillisecond(zone)
      : encoding === 'us'
        ? new TimestampMicrosecond(zone)
        : encoding === 'ns'
          ? new TimestampNanosecond(zone)
          : new Int64();
  return makeVector(makeData({ type, length: timestamps.length, data } as never));
}

/** An Arrow table in the layout's schema (timestamp, symbol, timeframe, OHLCV), with the chosen timestamp type. */
export function candleTable(rows: CandleRows, { timestampEncoding = 'us', timezone = 'UTC', omit = [] }: TableOptions = {}): Table {
  const length = rows.timestamp.length;
  const float64 = (values: (number | null)[]) => vectorFromArray(values, new Float64());
  const columns: Record<string, Vector> = {
    timestamp: timestampVector(rows.timestamp, timestampEncoding, timezone),
    symbol: vectorFromArray(Array.from({ length }, () => 'BTC_KRW'), new Utf8()),
    timeframe: vectorFromArray(Array.from({ length }, () => '1d'), new Utf8()),
    open: float64(rows.open),
    high: float64(rows.high),
    low: float64(rows.low),
    close: float64(rows.close),
    volume: float64(rows.volume),
  };
  for (const name of omit) delete columns[name];
  return new Table(columns);
}

/** Writes bytes at a path relative to the data root, creating folders. */
export async function writeDataFile(dataRoot: string, path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(join(dataRoot, path)), { recursive: true });
  await writeFile(join(dataRoot, path), bytes);
}

export async function writeCandleRows(dataRoot: string, path: string, rows: CandleRows, options?: TableOptions): Promise<Uint8Array> {
  const bytes = tableToParquet(candleTable(rows, options));
  await writeDataFile(dataRoot, path, bytes);
  return bytes;
}
