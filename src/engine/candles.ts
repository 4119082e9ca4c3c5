/** Small column-set helpers: allocate, view, join and grow `Candles` without per-row objects. */
import type { Candles } from './types';

export const candleColumnNames = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
export type CandleColumnName = (typeof candleColumnNames)[number];

export function allocateCandles(length: number): Candles {
  return {
    length,
    timestamp: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** Rows [from, to) as views on the same memory (no copy); the whole range is the candles themselves. */
export function sliceCandles(candles: Candles, from: number, to: number): Candles {
  if (from === 0 && to === candles.length) return candles;
  const view = { length: to - from } as Candles;
  for (const name of candleColumnNames) view[name] = candles[name].subarray(from, to);
  return view;
}

/** One column set holding the parts one after another; a single part is returned as it is. */
export function concatCandles(parts: Candles[]): Candles {
  if (parts.length === 1) return parts[0];
  const joined = allocateCandles(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    for (const name of candleColumnNames) joined[name].set(part[name].subarray(0, part.length), offset);
    offset += part.length;
  }
  return joined;
}

/** First index in the sorted timestamps [0, length) whose value is >= `value` (length if none). */
export function lowerBound(timestamps: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timestamps[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Appends candles one at a time into columns that double in capacity, for inputs of unknown length. */
export class CandleAccumulator {
  /** Capacity is the arrays' length; `columns.length` counts the rows pushed. */
  private columns: Candles = { ...allocateCandles(1024), length: 0 };

  get length(): number {
    return this.columns.length;
  }

  push(timestamp: number, open: number, high: number, low: number, close: number, volume: number): void {
    const row = this.columns.length;
    if (row === this.columns.timestamp.length) this.grow();
    const columns = this.columns;
    columns.timestamp[row] = timestamp;
    columns.open[row] = open;
    columns.high[row] = high;
    columns.low[row] = low;
    columns.close[row] = close;
    columns.volume[row] = volume;
    columns.length = row + 1;
  }

  /** The rows so far, as views on the accumulator's memory. */
  toCandles(): Candles {
    return sliceCandles(this.columns, 0, this.columns.length);
  }

  private grow(): void {
    const bigger = allocateCandles(this.columns.timestamp.length * 2);
    for (const name of candleColumnNames) bigger[name].set(this.columns[name]);
    bigger.length = this.columns.length;
    this.columns = bigger;
  }
}

/**
 * At most `maxCandles` candles from `candles`: runs of `barsPerCandle` consecutive bars (the last run may be shorter)
 * merged as a chart shows a longer timeframe: the first bar's time and open, the highest high, the lowest low, the
 * last bar's close, the summed volume. With no more bars than `maxCandles`, the candles as they are (barsPerCandle 1).
 */
export function aggregateCandles(candles: Candles, maxCandles: number): { candles: Candles; barsPerCandle: number } {
  if (!(Number.isInteger(maxCandles) && maxCandles >= 1)) throw new RangeError(`maxCandles: got ${maxCandles}, expected an integer >= 1`);
  const bars = candles.length;
  if (bars <= maxCandles) return { candles, barsPerCandle: 1 };
  const barsPerCandle = Math.ceil(bars / maxCandles);
  const merged = allocateCandles(Math.ceil(bars / barsPerCandle));
  const { timestamp, open, high, low, close, volume } = candles;
  // each run of bars: first open, extremes, last close, volume sum
  for (let candle = 0, first = 0; first < bars; candle++, first += barsPerCandle) {
    const end = Math.min(first + barsPerCandle, bars);
    let runHigh = high[first];
    let runLow = low[first];
    let runVolume = 0;
    for (let bar = first; bar < end; bar++) {
      if (high[bar] > runHigh) runHigh = high[bar];
      if (low[bar] < runLow) runLow = low[bar];
      runVolume += volume[bar];
    }
    merged.timestamp[candle] = timestamp[first];
    merged.open[candle] = open[first];
    merged.high[candle] = runHigh;
    merged.low[candle] = runLow;
    merged.close[candle] = close[end - 1];
    merged.volume[candle] = runVolume;
  }
  return { candles: merged, barsPerCandle };
}
