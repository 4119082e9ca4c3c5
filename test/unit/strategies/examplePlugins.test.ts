/**
 * The example plugins of strategies/, each on a short series small enough to check by hand: the indicator values are
 * written out beside each series, the expected signals are literals, and a run through the engine shows the trades
 * they make with the exit rules each example is meant for. sma_crossover has a file of its own, the one
 * docs/strategies.md walks through (smaCrossover.test.ts).
 */
import bollingerBreakout from '../../../strategies/bollingerBreakout';
import rsiMeanReversion from '../../../strategies/rsiMeanReversion';
import smaCrossover from '../../../strategies/smaCrossover';
import { runStrategyBacktest } from '../../../src/engine/backtest';
import { executionParamsSchema } from '../../../src/engine/execution';
import { strategyDefinitionProblems } from '../../../src/engine/strategies';
import type { Strategy } from '../../../src/engine/strategy';
import { candlesFromBars, signalsOf, tradeRowsWithExitReasons } from '../engine/helpers';
import type { Bar } from '../engine/reference';

/** Bars from closes: each opens at the previous close (the first at its own), with wicks 0.1 beyond the body. */
function barsFromCloses(closes: number[]): Bar[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1];
    return { open, high: Math.max(open, close) + 0.1, low: Math.min(open, close) - 0.1, close, volume: 1 };
  });
}

function exitsOf(strategy: Strategy, bars: Bar[], overrides: Record<string, unknown>): number[] {
  const out = new Uint8Array(bars.length);
  const count = strategy.exitsInto!(candlesFromBars(bars), strategy.paramsSchema.parse(overrides), out);
  expect(count).toBe(out.reduce((sum, value) => sum + value, 0));
  return Array.from(out);
}

/** Trades of a run without costs, with the strategy's and the execution parameters' defaults under `overrides`. */
function tradesOf(strategy: Strategy, bars: Bar[], overrides: Record<string, unknown>) {
  const params = { ...strategy.paramsSchema.parse(overrides), ...executionParamsSchema.parse({ fee_rate: 0, ...overrides }) };
  const { trades } = runStrategyBacktest(candlesFromBars(bars), strategy, params, { periodsPerYear: 365 });
  return tradeRowsWithExitReasons(trades).map(({ entryIndex, exitIndex, entryPrice, exitPrice, returnPct, exitReason }) => ({
    entryIndex,
    exitIndex,
    entryPrice,
    exitPrice,
    returnPct: Number(returnPct.toFixed(6)),
    exitReason,
  }));
}

describe.each([smaCrossover, rsiMeanReversion, bollingerBreakout])('the example plugin $id', (strategy) => {
  it('is a strategy the loader accepts, with every parameter defaulted', () => {
    expect(strategyDefinitionProblems(strategy)).toEqual([]);
    expect(strategy.description).toMatch(/Meant for direction (long|short)/);
  });
});

describe('rsi_mean_reversion', () => {
  // close        10   9    8    9    10   9     8      7      8       7.5
  // change       -    -1   -1   +1   +1   -1    -1     -1     +1      -0.5
  // avg gain     -    -    0    0.5  0.75 0.375 0.1875 0.0938 0.5469  0.2734   (plain mean of 2, then Wilder's)
  // avg loss     -    -    1    0.5  0.25 0.625 0.8125 0.9063 0.4531  0.4766
  // RSI 2        -    -    0    50   75   37.5  18.75  9.375  54.6875 36.4583
  // RSI from <= 30 to > 30 at bars 3 and 8
  const bars = barsFromCloses([10, 9, 8, 9, 10, 9, 8, 7, 8, 7.5]);
  const params = { rsi_window: 2, oversold: 30 };

  it('enters where the RSI climbs back above the oversold level', () => {
    expect(signalsOf(rsiMeanReversion, bars, params)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('leaves the exits to the stops: a take-profit at 9.9, a stop-loss at 7.6', () => {
    // entry 9 at bar 3: take-profit 9 * 1.1 = 9.9 <= the high 10.1 of bar 4 (its low 8.9 stays above the stop 8.55);
    // entry 8 at bar 8: stop-loss 8 * 0.95 = 7.6 >= the low 7.4 of bar 9, which opens at 8
    expect(tradesOf(rsiMeanReversion, bars, { ...params, stop_loss_pct: 5, take_profit_pct: 10 })).toEqual([
      { entryIndex: 3, exitIndex: 4, entryPrice: 9, exitPrice: 9.9, returnPct: 10, exitReason: 'take_profit' },
      { entryIndex: 8, exitIndex: 9, entryPrice: 8, exitPrice: 7.6, returnPct: -5, exitReason: 'stop_loss' },
    ]);
  });
});

describe('bollinger_breakout', () => {
  // close     10   11   12      8       9       11      12      12      10      13
  // SMA 3     -    -    11      10.333  9.667   9.333   10.667  11.667  11.333  11.667
  // std 3     -    -    0.8165  1.6997  1.6997  1.2472  1.2472  0.4714  0.9428  1.2472   (population)
  // lower x1  -    -    10.183  8.634   7.967   8.086   9.420   11.195  10.391  10.420
  // close below the lower band at 3 and 8 (above it the bar before); back above the middle band at 5 and 9
  const bars = barsFromCloses([10, 11, 12, 8, 9, 11, 12, 12, 10, 13]);
  const params = { band_window: 3, band_width: 1 };

  it('enters where the close breaks below the lower band and exits where it closes back above the middle', () => {
    expect(signalsOf(bollingerBreakout, bars, params)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(exitsOf(bollingerBreakout, bars, params)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('sells short at the breakdowns and buys back at the exit signals', () => {
    // a short loses what the price gains: (8 - 11) / 8 and (10 - 13) / 10
    expect(tradesOf(bollingerBreakout, bars, { ...params, direction: 'short' })).toEqual([
      { entryIndex: 3, exitIndex: 5, entryPrice: 8, exitPrice: 11, returnPct: -37.5, exitReason: 'signal' },
      { entryIndex: 8, exitIndex: 9, entryPrice: 10, exitPrice: 13, returnPct: -30, exitReason: 'signal' },
    ]);
  });
});
