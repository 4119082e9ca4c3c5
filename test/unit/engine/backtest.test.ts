import { runBacktest } from '../../../src/engine/backtest';
import { executionParamsSchema } from '../../../src/engine/execution';
import {
  BUILTIN_STRATEGY_VERSION,
  builtinStrategies,
  createStrategyRegistry,
  getStrategy,
  isStrategyId,
  strategyDefinitionProblems,
  strategyIds,
  type BuiltinStrategyId,
  type StrategyId,
} from '../../../src/engine/strategies';
import type { BacktestOutput } from '../../../src/engine/types';
import bars from './golden/candles-64x1d.json';
import { candlesFromBars, columnsAsHex } from './helpers';

const candles = candlesFromBars(bars);

const builtinIds = Object.keys(builtinStrategies) as BuiltinStrategyId[];

function defaultParams(strategyId: StrategyId): Record<string, unknown> {
  return { ...getStrategy(strategyId).paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
}

/** Every column of an output as hex, so NaN and -0 compare bit for bit, plus the summary. */
function outputBytes(output: BacktestOutput): unknown[] {
  return [...columnsAsHex({ signals: output.signals }, output.trades, output.curve), output.summary];
}

describe('strategy registry', () => {
  it('lists every built-in under its own id, each with hold_period_bars, as the plugin rules want a strategy', () => {
    expect(strategyIds()).toEqual(['volume_zone_breakout', 'volume_long_candle']);
    for (const id of builtinIds) {
      const strategy = getStrategy(id);
      expect(strategy).toBe(builtinStrategies[id]);
      expect(strategy.id).toBe(id);
      expect(strategy.description.length).toBeGreaterThan(20);
      expect(strategy.paramsSchema.parse({}).hold_period_bars).toBe(1);
      expect(strategyDefinitionProblems(strategy)).toEqual([]);
    }
  });

  it('knows the built-ins with their source and version, and nothing else', () => {
    expect(createStrategyRegistry().list()).toEqual(
      builtinIds.map((id) => ({ strategy: builtinStrategies[id], source: 'builtin', version: BUILTIN_STRATEGY_VERSION, available: true })),
    );
    expect(isStrategyId('volume_long_candle')).toBe(true);
    expect(isStrategyId('toString')).toBe(false);
    expect(() => getStrategy('moon_shot')).toThrow(
      'unknown strategy: got "moon_shot", expected one of volume_zone_breakout, volume_long_candle',
    );
  });

  it('gives the warm-up each built-in reads before a bar', () => {
    expect(
      builtinStrategies.volume_zone_breakout.warmupBars!({ ...defaultParams('volume_zone_breakout'), volume_window: 40 } as never),
    ).toBe(40);
    expect(builtinStrategies.volume_long_candle.warmupBars!({ ...defaultParams('volume_long_candle'), vol_ma_window: 20 } as never)).toBe(
      19,
    );
  });
});

describe('executionParamsSchema', () => {
  it('applies the DESIGN.md defaults and refuses values out of range', () => {
    expect(executionParamsSchema.parse({})).toEqual({
      initial_capital: 100_000,
      position_size: 1,
      fee_rate: 0.0005,
      slippage_bps: 0,
      direction: 'long',
      stop_loss_pct: null,
      take_profit_pct: null,
      trailing_stop_pct: null,
      max_hold_bars: null,
    });
    for (const field of Object.values(executionParamsSchema.shape)) expect(field.description).toBeTruthy();
    for (const bad of [
      { initial_capital: 0 },
      { position_size: 0 },
      { position_size: 1.5 },
      { fee_rate: 0.1 },
      { fee_rate: -0.001 },
      { slippage_bps: 1000 },
      { direction: 'sideways' },
      { stop_loss_pct: 0 },
      { stop_loss_pct: 100 },
      { take_profit_pct: -1 },
      { trailing_stop_pct: 100 },
      { max_hold_bars: 0 },
      { max_hold_bars: 2.5 },
    ]) {
      expect(executionParamsSchema.safeParse(bad).success).toBe(false);
    }
    const rules = { direction: 'short', stop_loss_pct: 2.5, take_profit_pct: 150, trailing_stop_pct: 99.9, max_hold_bars: 1 };
    expect(executionParamsSchema.parse(rules)).toMatchObject(rules);
  });
});

describe('runBacktest', () => {
  it.each(builtinIds)('runs %s end to end with its defaults', (strategyId) => {
    const output = runBacktest(candles, strategyId, defaultParams(strategyId), { periodsPerYear: 365 });
    expect(output.signals.length).toBe(bars.length);
    expect(output.curve.length).toBe(bars.length);
    expect(output.summary.total_signals).toBe(output.trades.count);
    expect(output.trades.count).toBeLessThanOrEqual(output.signals.reduce((sum, value) => sum + value, 0));
  });

  it.each(builtinIds)('gives bit-identical output on a second run of %s', (strategyId) => {
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

  it('gives the same output with the exit rules absent as with their defaults (off, long)', () => {
    const { direction, stop_loss_pct, take_profit_pct, trailing_stop_pct, max_hold_bars, ...withoutRules } =
      defaultParams('volume_zone_breakout');
    expect([direction, stop_loss_pct, take_profit_pct, trailing_stop_pct, max_hold_bars]).toEqual(['long', null, null, null, null]);
    const params = { ...withoutRules, volume_window: 10 };
    const absent = runBacktest(candles, 'volume_zone_breakout', params, { periodsPerYear: 365 });
    const defaulted = runBacktest(
      candles,
      'volume_zone_breakout',
      { ...defaultParams('volume_zone_breakout'), ...params },
      { periodsPerYear: 365 },
    );
    expect(outputBytes(defaulted)).toEqual(outputBytes(absent));
    expect(absent.exitSignals).toBeNull();
  });

  it('refuses an exit rule out of range with what it got', () => {
    const params = { ...defaultParams('volume_long_candle'), stop_loss_pct: 120 };
    expect(() => runBacktest(candles, 'volume_long_candle', params, { periodsPerYear: 365 })).toThrow(
      'params.stop_loss_pct: got 120, expected a value its schema accepts (Too big: expected number to be <100)',
    );
    expect(() =>
      runBacktest(candles, 'volume_long_candle', { ...defaultParams('volume_long_candle'), direction: 'up' }, { periodsPerYear: 365 }),
    ).toThrow('params.direction: got "up"');
  });

  it('refuses parameters that were not completed with their defaults', () => {
    expect(() =>
      runBacktest(candles, 'volume_long_candle', builtinStrategies.volume_long_candle.paramsSchema.parse({}), { periodsPerYear: 365 }),
    ).toThrow('params.initial_capital: got undefined, expected a number');
  });
});
