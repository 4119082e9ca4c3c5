import smaCrossover from '../../../strategies/smaCrossover';
import { runStrategyBacktest } from '../../../src/engine/backtest';
import { executionParamsSchema } from '../../../src/engine/execution';
import { strategyDefinitionProblems } from '../../../src/engine/strategies';
import type { Candles } from '../../../src/engine/strategyKit';
import { exitReasons } from '../../../src/engine/types';

/** Daily candles that only close at the given prices (open = high = low = close): all a moving average reads. */
function candlesFromCloses(closes: number[]): Candles {
  const close = Float64Array.from(closes);
  const timestamp = Float64Array.from(closes, (_, i) => Date.UTC(2024, 0, 1 + i));
  return { length: closes.length, timestamp, open: close, high: close, low: close, close, volume: close.map(() => 1) };
}

// close      10   9    8    9      11     12     11     9      8      9      11     12
// SMA 2      -    9.5  8.5  8.5    10     11.5   11.5   10     8.5    8.5    10     11.5
// SMA 3      -    -    9    8.667  9.333  10.667 11.333 10.667 9.333  8.667  9.333  10.667
// the fast average is above the slow one from bar 4 to 6 and from bar 10: up at 4 and 10, down at 7
const candles = candlesFromCloses([10, 9, 8, 9, 11, 12, 11, 9, 8, 9, 11, 12]);
const params = smaCrossover.paramsSchema.parse({ fast_window: 2, slow_window: 3 });

describe('sma_crossover', () => {
  it('is a strategy the plugin loader accepts', () => {
    expect(strategyDefinitionProblems(smaCrossover)).toEqual([]);
  });

  it('enters where the fast average crosses above the slow one', () => {
    const entries = new Uint8Array(candles.length);
    expect(smaCrossover.signalsInto(candles, params, entries)).toBe(2);
    expect(Array.from(entries)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('exits where it crosses back below', () => {
    const exits = new Uint8Array(candles.length);
    expect(smaCrossover.exitsInto!(candles, params, exits)).toBe(1);
    expect(Array.from(exits)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('holds each position until its exit signal', () => {
    const execution = executionParamsSchema.parse({ fee_rate: 0 });
    const { trades } = runStrategyBacktest(candles, smaCrossover, { ...params, ...execution }, { periodsPerYear: 365 });
    // bought at 11 on bar 4, sold at 9 on bar 7; bought at 11 on bar 10, still open at the end
    expect(trades.count).toBe(2);
    expect(Array.from(trades.entryIndex)).toEqual([4, 10]);
    expect(Array.from(trades.exitIndex)).toEqual([7, -1]);
    expect(Array.from(trades.exitPrice)).toEqual([9, NaN]);
    expect(Array.from(trades.exitReason, (code) => exitReasons[code])).toEqual(['signal', 'end_of_data']);
    expect(trades.returnPct[0]).toBeCloseTo(((9 - 11) / 11) * 100, 10);
  });
});
