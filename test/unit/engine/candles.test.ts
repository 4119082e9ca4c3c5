import { aggregateCandles } from '../../../src/engine/candles';
import type { Candles } from '../../../src/engine/types';

/** Candles from [open, high, low, close, volume] rows, one hour apart. */
function candlesOf(rows: number[][]): Candles {
  const column = (index: number) => Float64Array.from(rows, (row) => row[index]);
  return {
    length: rows.length,
    timestamp: Float64Array.from(rows, (_, i) => i * 3_600_000),
    open: column(0),
    high: column(1),
    low: column(2),
    close: column(3),
    volume: column(4),
  };
}

const rowsOf = (candles: Candles) =>
  Array.from({ length: candles.length }, (_, i) => [
    candles.timestamp[i] / 3_600_000,
    candles.open[i],
    candles.high[i],
    candles.low[i],
    candles.close[i],
    candles.volume[i],
  ]);

const sevenBars = candlesOf([
  [10, 12, 9, 11, 1],
  [11, 15, 10, 14, 2],
  [14, 14, 8, 9, 3],
  [9, 10, 7, 8, 4],
  [8, 13, 8, 12, 5],
  [12, 12, 11, 11, 6],
  [11, 16, 10, 15, 7],
]);

describe('aggregateCandles', () => {
  it('merges runs of bars: first open, highest high, lowest low, last close, summed volume, first time', () => {
    const { candles, barsPerCandle } = aggregateCandles(sevenBars, 3);
    expect(barsPerCandle).toBe(3);
    // bars 0-2, 3-5, and the last bar alone
    expect(rowsOf(candles)).toEqual([
      [0, 10, 15, 8, 9, 6],
      [3, 9, 13, 7, 11, 15],
      [6, 11, 16, 10, 15, 7],
    ]);
  });

  it('takes as few bars per candle as keep the count within the maximum', () => {
    const { candles, barsPerCandle } = aggregateCandles(sevenBars, 4);
    expect(barsPerCandle).toBe(2);
    expect(rowsOf(candles).map(([hour]) => hour)).toEqual([0, 2, 4, 6]);
    expect(rowsOf(candles)[1]).toEqual([2, 14, 14, 7, 8, 7]);
  });

  it('returns the candles as they are when they fit', () => {
    expect(aggregateCandles(sevenBars, 7)).toEqual({ candles: sevenBars, barsPerCandle: 1 });
    expect(aggregateCandles(candlesOf([]), 5).candles.length).toBe(0);
  });

  it('keeps the extremes and the volume of the whole range, whatever the maximum', () => {
    for (let maxCandles = 1; maxCandles <= 7; maxCandles++) {
      const { candles } = aggregateCandles(sevenBars, maxCandles);
      expect(candles.length).toBeLessThanOrEqual(maxCandles);
      expect(Math.max(...candles.high.subarray(0, candles.length))).toBe(16);
      expect(Math.min(...candles.low.subarray(0, candles.length))).toBe(7);
      expect(candles.volume.subarray(0, candles.length).reduce((sum, value) => sum + value, 0)).toBe(28);
      expect([candles.open[0], candles.close[candles.length - 1]]).toEqual([10, 15]);
    }
  });

  it('refuses a maximum below one', () => {
    expect(() => aggregateCandles(sevenBars, 0)).toThrow('maxCandles: got 0, expected an integer >= 1');
  });
});
