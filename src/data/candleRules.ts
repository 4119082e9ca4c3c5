/**
 * What makes a candle acceptable (DESIGN.md section 4), shared by the Parquet reader and the CSV importer:
 * a cheap yes/no test for the hot loop and, only for the first failure, a sentence saying what is wrong.
 */
import type { Candles } from '../engine/types';
import { formatTimestamp } from './layout';

/**
 * True when the candle follows the previous one and its prices and volume make sense. Every comparison
 * is false for NaN, and a finite high bounds open, close and low, so NaN and Infinity fail too.
 */
export function isValidCandle(
  timestamp: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  previousTimestamp: number,
): boolean {
  return (
    timestamp > previousTimestamp &&
    low > 0 &&
    high < Infinity &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close &&
    volume >= 0 &&
    volume < Infinity
  );
}

/** Why `isValidCandle` said no, e.g. `high 101.2 < max(open, close) 103.5`. */
export function describeInvalidCandle(
  timestamp: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  previousTimestamp: number,
): string {
  if (timestamp === previousTimestamp) return `duplicate timestamp ${formatTimestamp(timestamp)}`;
  if (!(timestamp > previousTimestamp)) {
    return `timestamp ${formatTimestamp(timestamp)} is before the previous candle's ${formatTimestamp(previousTimestamp)} (candles must be sorted ascending)`;
  }
  const values = { open, high, low, close, volume };
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) return `${name} is ${value}`;
  }
  for (const [name, value] of Object.entries({ open, high, low, close })) {
    if (value <= 0) return `${name} ${value} is not positive`;
  }
  if (high < Math.max(open, close)) return `high ${high} < max(open, close) ${Math.max(open, close)}`;
  if (low > Math.min(open, close)) return `low ${low} > min(open, close) ${Math.min(open, close)}`;
  return `volume ${volume} is negative`;
}

/** Index of the first invalid candle in rows [0, length), or -1; the first row is compared with `previousTimestamp`. */
export function findInvalidCandle(candles: Candles, previousTimestamp: number): number {
  const { length, timestamp, open, high, low, close, volume } = candles;
  let previous = previousTimestamp;
  for (let row = 0; row < length; row++) {
    const time = timestamp[row];
    if (!isValidCandle(time, open[row], high[row], low[row], close[row], volume[row], previous)) return row;
    previous = time;
  }
  return -1;
}

/** `describeInvalidCandle` for one row of a column set. */
export function describeInvalidRow(candles: Candles, row: number, previousTimestamp: number): string {
  const previous = row > 0 ? candles.timestamp[row - 1] : previousTimestamp;
  return describeInvalidCandle(
    candles.timestamp[row],
    candles.open[row],
    candles.high[row],
    candles.low[row],
    candles.close[row],
    candles.volume[row],
    previous,
  );
}
