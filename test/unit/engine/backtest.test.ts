import { runBacktest } from '../../../src/engine/backtest';
import { executionParamsSchema } from '../../../src/engine/execution';
import { strategies, strategyIds, type StrategyId } from '../../../src/engine/strategies';
import type { BacktestOutput } from '../../../src/engine/types';
import bars from './golden/candles-64x1d.json';
import { candlesFromBars, columnsAsHex } from './helpers';

const candles = candlesFromBars(bars);

function defaultParams(strategyId: StrategyId): Record<string, unknown> {
  return { ...strategies[strategyId].paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
}

/** Every column of an output as hex, so NaN and -0 compare bit for bit, plus the summary. */
function outputBytes(output: BacktestOutput): unknown[] {
  return [...columnsAsHex({ signals: output.signals }, output.trades, output.curve), output.summary];
}

describe('strategy registry', () => {
  it('lists every strategy under its own id, each with hold_period_bars', () => {
    expect(strategyIds).toEqual(['volume_zone_breakout', 'volume_long_candle']);
    for (const id of strategyIds) {
      expect(strategies[id].id).toBe(id);
      expect(strategies[id].description.length).toBeGreaterThan(20);
      expect(strategies[id].paramsSchema.parse({}).hold_period_bars).toBe(1);
    }
  });
});

describe('executionParamsSchema', () => {
  it('applies the DESIGN.md defaults and refuses values out of range', () => {
    expect(executionParamsSchema.parse({})).toEqual({ initial_capital: 100_000, position_size: 1, fee_rate: 0.0005, slippage_bps: 0 });
    for (const bad of [
      { initial_capital: 0 },
      { position_size: 0 },
      { position_size: 1.5 },
      { fee_rate: 0.1 },
      { fee_rate: -0.001 },
      { slippage_bps: 1000 },
    ]) {
      expect(executionParamsSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('runBacktest', () => {
  it.each(strategyIds)('runs %s end to end with its defaults', (strategyId) => {
    const output = runBacktest(candles, strategyId, defaultParams(strategyId), { periodsPerYear: 365 });
    expect(output.signals.length).toBe(bars.length);
    expect(output.curve.length).toBe(bars.length);
    expect(output.summary.total_signals).toBe(output.trades.count);
    expect(output.trades.count).toBeLessThanOrEqual(output.signals.reduce((sum, value) => sum + value, 0));
  });

  it.each(strategyIds)('gives bit-identical output on a second run of %s', (strategyId) => {
    const params = { ...defaultParams(strategyId), volume_window: 10, fee_rate: 0.001, slippage_bps: 3 };
    const first = runBacktest(candles, strategyId, params, { periodsPerYear: 365 });
    const second = runBacktest(candles, strategyId, params, { periodsPerYear: 365 });
    expect(outputBytes(second)).toEqual(outputBytes(first));
  });

  it('refuses an unknown strategy and a non-positive periodsPerYear with what it got', () => {
    expect(() => runBacktest(candles, 'moon_shot' as StrategyId, {}, { periodsPerYear: 365 })).toThrow(
      'unknown strategy: got "moon_shot", expected one of volume_zone_breakout, volume_long_candle',
    );
    expect(() => runBacktest(candles, 'volume_long_candle', defaultParams('volume_long_candle'), { periodsPerYear: 0 })).toThrow(
      'periodsPerYear: got 0, expected a positive number',
    );
  });

  it('refuses parameters that were not completed with their defaults', () => {
    expect(() =>
      runBacktest(candles, 'volume_long_candle', strategies.volume_long_candle.paramsSchema.parse({}), { periodsPerYear: 365 }),
    ).toThrow('params.initial_capital: got undefined, expected a number');
  });
});
