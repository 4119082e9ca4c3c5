import { runBacktest, runSegmentBacktest } from '../../../../src/engine/backtest';
import { executionParamsSchema } from '../../../../src/engine/execution';
import { builtinStrategies, type BuiltinStrategyId } from '../../../../src/engine/strategies';
import {
  allocateSweepRows,
  annualisedReturnPct,
  comboIdRange,
  comboParams,
  evaluateSweep,
  inSampleSegment,
  outOfSampleSegment,
  planSweep,
  strategyWarmupBars,
  walkForwardEfficiency,
  walkForwardFolds,
} from '../../../../src/engine/sweep';
import { summarize } from '../../../../src/engine/metrics';
import { simulate } from '../../../../src/engine/simulator';
import { summaryMetrics, type BacktestOutput, type Candles, type ExecutionParams } from '../../../../src/engine/types';
import goldenBars from '../golden/candles-64x1d.json';
import { candlesFromBars, columnsAsHex } from '../helpers';

describe('walk-forward folds', () => {
  it('cuts 100 candles into 4 windows of 25, the first 17 of each in sample (70 %, rounded down)', () => {
    expect(walkForwardFolds(100, { folds: 4, in_sample_pct: 70, anchored: false })).toEqual([
      { fold: 0, inSampleStart: 0, inSampleEnd: 17, outOfSampleStart: 17, outOfSampleEnd: 25 },
      { fold: 1, inSampleStart: 25, inSampleEnd: 42, outOfSampleStart: 42, outOfSampleEnd: 50 },
      { fold: 2, inSampleStart: 50, inSampleEnd: 67, outOfSampleStart: 67, outOfSampleEnd: 75 },
      { fold: 3, inSampleStart: 75, inSampleEnd: 92, outOfSampleStart: 92, outOfSampleEnd: 100 },
    ]);
  });

  it('starts every in-sample part at the first candle when anchored', () => {
    expect(walkForwardFolds(100, { folds: 4, in_sample_pct: 70, anchored: true })).toEqual([
      { fold: 0, inSampleStart: 0, inSampleEnd: 17, outOfSampleStart: 17, outOfSampleEnd: 25 },
      { fold: 1, inSampleStart: 0, inSampleEnd: 42, outOfSampleStart: 42, outOfSampleEnd: 50 },
      { fold: 2, inSampleStart: 0, inSampleEnd: 67, outOfSampleStart: 67, outOfSampleEnd: 75 },
      { fold: 3, inSampleStart: 0, inSampleEnd: 92, outOfSampleStart: 92, outOfSampleEnd: 100 },
    ]);
  });

  it('spreads a remainder over the windows (floor(k N / folds)) so that every candle is in exactly one', () => {
    // 10 candles, 3 folds: windows [0, 3), [3, 6), [6, 10); half of each in sample
    expect(walkForwardFolds(10, { folds: 3, in_sample_pct: 50, anchored: false })).toEqual([
      { fold: 0, inSampleStart: 0, inSampleEnd: 1, outOfSampleStart: 1, outOfSampleEnd: 3 },
      { fold: 1, inSampleStart: 3, inSampleEnd: 4, outOfSampleStart: 4, outOfSampleEnd: 6 },
      { fold: 2, inSampleStart: 6, inSampleEnd: 8, outOfSampleStart: 8, outOfSampleEnd: 10 },
    ]);
    expect(walkForwardFolds(8760, { folds: 5, in_sample_pct: 70, anchored: false }).map((fold) => fold.outOfSampleEnd)).toEqual([
      1752, 3504, 5256, 7008, 8760,
    ]);
  });

  it('refuses folds without an in-sample or an out-of-sample candle, and bad arguments', () => {
    expect(() => walkForwardFolds(10, { folds: 5, in_sample_pct: 40, anchored: false })).toThrow(
      'walk_forward: 10 candles in 5 folds at 40 % in sample leave fold 0 with 0 in-sample and 2 out-of-sample candles, expected at least 1 of each',
    );
    expect(() => walkForwardFolds(10, { folds: 0, in_sample_pct: 70, anchored: false })).toThrow('folds: got 0, expected an integer >= 1');
    expect(() => walkForwardFolds(10, { folds: 2, in_sample_pct: 100, anchored: false })).toThrow(
      'in_sample_pct: got 100, expected a number in (0, 100)',
    );
  });

  it('warms the out-of-sample segment up on the bars before it, never before the first candle; the in-sample one not at all', () => {
    const [first, second] = walkForwardFolds(100, { folds: 4, in_sample_pct: 70, anchored: false });
    expect(outOfSampleSegment(first, 20)).toEqual({ warmupStart: 0, start: 17, end: 25 });
    expect(outOfSampleSegment(second, 20)).toEqual({ warmupStart: 22, start: 42, end: 50 });
    expect(outOfSampleSegment(second, 0)).toEqual({ warmupStart: 42, start: 42, end: 50 });
    expect(inSampleSegment(second)).toEqual({ warmupStart: 25, start: 25, end: 42 });
  });

  it('asks the strategy for its warm-up: the windows of the built-ins, 0 for a strategy that does not say', () => {
    const zone = builtinStrategies.volume_zone_breakout;
    expect(strategyWarmupBars(zone, zone.paramsSchema.parse({ volume_window: 48 }))).toBe(48);
    const longCandle = builtinStrategies.volume_long_candle;
    expect(strategyWarmupBars(longCandle, longCandle.paramsSchema.parse({ vol_ma_window: 20 }))).toBe(19);
    expect(strategyWarmupBars({ ...zone, warmupBars: undefined }, {})).toBe(0);
  });
});

describe('annualised returns and walk-forward efficiency', () => {
  it('annualises CAGR-style from the bar count, -100 for a total loss, null without bars', () => {
    expect(annualisedReturnPct(10, 365, 365)).toBeCloseTo(10, 12);
    // 21 % over two years is 10 % a year; 1 % over a quarter is 4.06 % a year
    expect(annualisedReturnPct(21, 730, 365)).toBeCloseTo(10, 12);
    expect(annualisedReturnPct(1, 2190, 8760)).toBeCloseTo((1.01 ** 4 - 1) * 100, 12);
    expect(annualisedReturnPct(0, 100, 365)).toBe(0);
    expect(annualisedReturnPct(-100, 100, 365)).toBe(-100);
    expect(annualisedReturnPct(-150, 100, 365)).toBe(-100);
    expect(annualisedReturnPct(5, 0, 365)).toBeNull();
    // too large for a double
    expect(annualisedReturnPct(1e6, 1, 525_600)).toBeNull();
  });

  it('is the mean over folds of annualised out-of-sample / in-sample return, folds with an in-sample return <= 0 left out', () => {
    const year = 8760;
    const result = walkForwardEfficiency(
      [
        // 20 % in sample over a year, 10 % out of sample over a year: 0.5
        { inSampleReturnPct: 20, inSampleBars: year, outOfSampleReturnPct: 10, outOfSampleBars: year },
        // an in-sample loss: no efficiency
        { inSampleReturnPct: -5, inSampleBars: year, outOfSampleReturnPct: 10, outOfSampleBars: year },
        // nothing earned in sample: no efficiency
        { inSampleReturnPct: 0, inSampleBars: year, outOfSampleReturnPct: 3, outOfSampleBars: year },
        // 10 % in sample, a 10 % loss out of sample: -1
        { inSampleReturnPct: 10, inSampleBars: year, outOfSampleReturnPct: -10, outOfSampleBars: year },
      ],
      year,
    );
    expect(result.perFold[0]).toBeCloseTo(0.5, 12);
    expect(result.perFold.slice(1, 3)).toEqual([null, null]);
    expect(result.perFold[3]).toBeCloseTo(-1, 12);
    expect(result.efficiency).toBeCloseTo(-0.25, 12);
  });

  it('is null, never NaN, when no fold has a positive in-sample return', () => {
    expect(walkForwardEfficiency([{ inSampleReturnPct: 0, inSampleBars: 10, outOfSampleReturnPct: 0, outOfSampleBars: 10 }], 365)).toEqual({
      perFold: [null],
      efficiency: null,
    });
    expect(walkForwardEfficiency([], 365)).toEqual({ perFold: [], efficiency: null });
  });
});

/** The golden 64 daily bars, tiled to 300 with a drift so windows keep moving. */
const bars = Array.from({ length: 300 }, (_, i) => {
  const scale = 1 + 0.2 * Math.sin(i / 17);
  const { open, high, low, close, volume } = goldenBars[i % goldenBars.length];
  return { open: open * scale, high: high * scale, low: low * scale, close: close * scale, volume: volume * (1 + (i % 5) / 7) };
});

function paramsOf(strategyId: BuiltinStrategyId, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...builtinStrategies[strategyId].paramsSchema.parse({}), ...executionParamsSchema.parse({}), ...overrides };
}

/** A copy of bars [from, to) as a series of its own. */
function copyOf(candles: Candles, from: number, to: number): Candles {
  return candlesFromBars(bars.slice(from, to));
}

/** Candles whose bars at and after `end` are poison: NaN prices, absurd volume; any read of them would show. */
function poisonedAfter(end: number): Candles {
  const candles = candlesFromBars(bars);
  for (const column of [candles.open, candles.high, candles.low, candles.close]) column.fill(NaN, end);
  candles.volume.fill(1e300, end);
  return candles;
}

const outputBytes = (output: BacktestOutput) => [
  ...columnsAsHex({ signals: output.signals }, output.trades, output.curve),
  output.exitSignals === null ? null : columnsAsHex({ exits: output.exitSignals }),
  output.summary,
];

describe('out-of-sample runs (runSegmentBacktest)', () => {
  const candles = candlesFromBars(bars);
  const strategyCases: [BuiltinStrategyId, Record<string, unknown>][] = [
    ['volume_zone_breakout', { volume_window: 12, num_bins: 8, top_percentile: 0.3, breakout_buffer: 0, hold_period_bars: 3 }],
    ['volume_long_candle', { vol_ma_window: 6, vol_multiplier: 1.2, body_pct: 0.005, hold_period_bars: 2 }],
  ];

  it.each(strategyCases)('read no candle at or after the segment end (%s)', (strategyId, overrides) => {
    const params = paramsOf(strategyId, { ...overrides, stop_loss_pct: 4, direction: 'short' });
    const segment = { warmupStart: 150, start: 170, end: 230 };
    const options = { periodsPerYear: 365 };
    const poisoned = runSegmentBacktest(poisonedAfter(230), builtinStrategies[strategyId], params, segment, options);
    const clean = runSegmentBacktest(candlesFromBars(bars.slice(0, 230)), builtinStrategies[strategyId], params, segment, options);
    expect(outputBytes(poisoned)).toEqual(outputBytes(clean));
    expect(poisoned.curve.length).toBe(60);
    // the sweep evaluation of the same segment reads no more than that either
    const plan = planSweep({
      strategy: builtinStrategies[strategyId],
      fixedParams: params,
      grid: { fee_rate: [0, params.fee_rate as number] },
      periodsPerYear: 365,
    });
    const rows = allocateSweepRows(2);
    evaluateSweep(plan, poisonedAfter(230), comboIdRange(0, 2), rows, { segment });
    for (const metric of summaryMetrics) expect(Object.is(rows.metrics[metric][1], clean.summary[metric] ?? NaN)).toBe(true);
  });

  it.each(strategyCases)(
    'compute signals over the warm-up, open no trade before the segment and cover its bars only (%s)',
    (strategyId, overrides) => {
      const params = paramsOf(strategyId, overrides);
      const warmup = strategyWarmupBars(builtinStrategies[strategyId], params);
      const segment = { warmupStart: 170 - warmup, start: 170, end: 230 };
      const output = runSegmentBacktest(candles, builtinStrategies[strategyId], params, segment, {
        periodsPerYear: 365,
        initialEquity: 12_345,
      });
      // the strategy saw [warmupStart, end) as its series: its signals from the segment's first bar on
      const signalsOverWarmup = runBacktest(copyOf(candles, segment.warmupStart, 230), strategyId, params, { periodsPerYear: 365 }).signals;
      expect(Array.from(output.signals)).toEqual(Array.from(signalsOverWarmup.subarray(warmup)));
      expect(output.curve.length).toBe(60);
      expect(output.trades.count).toBeGreaterThan(0);
      expect(Math.min(...output.trades.entryIndex.subarray(0, output.trades.count))).toBeGreaterThanOrEqual(0);
      // the equity starts from the given equity (a stitched curve continues where the last segment ended)
      expect(output.curve.equity[0]).toBeLessThanOrEqual(12_345);
      expect(output.summary.total_pnl).toBeCloseTo(output.curve.equity[59] - 12_345, 6);
      // the trades, curve and summary are those of the segment's own candles with those entries: nothing of the
      // warm-up leaks into the figures
      const segmentCandles = copyOf(candles, 170, 230);
      const execution = { ...params, initial_capital: 12_345 } as unknown as ExecutionParams;
      const alone = simulate(segmentCandles, output.signals, params.hold_period_bars as number, execution);
      expect(columnsAsHex(output.trades, output.curve)).toEqual(columnsAsHex(alone.trades, alone.curve));
      expect(output.summary).toEqual(summarize(segmentCandles, alone.trades, alone.curve, 12_345, 365));
      if (strategyId === 'volume_zone_breakout') {
        // with full windows the zone signals are those of the whole series
        const whole = runBacktest(candles, strategyId, params, { periodsPerYear: 365 }).signals;
        expect(Array.from(output.signals)).toEqual(Array.from(whole.subarray(170, 230)));
      }
    },
  );

  it('is runBacktest for the whole series as its segment', () => {
    const params = paramsOf('volume_zone_breakout', { volume_window: 12, num_bins: 8 });
    const whole = { warmupStart: 0, start: 0, end: candles.length };
    expect(
      outputBytes(runSegmentBacktest(candles, builtinStrategies.volume_zone_breakout, params, whole, { periodsPerYear: 365 })),
    ).toEqual(outputBytes(runBacktest(candles, 'volume_zone_breakout', params, { periodsPerYear: 365 })));
  });

  it('refuses a segment out of order or outside the candles', () => {
    const params = paramsOf('volume_long_candle');
    for (const segment of [
      { warmupStart: 10, start: 5, end: 20 },
      { warmupStart: 0, start: 5, end: 301 },
      { warmupStart: 0, start: 5.5, end: 20 },
    ]) {
      expect(() => runSegmentBacktest(candles, builtinStrategies.volume_long_candle, params, segment, { periodsPerYear: 365 })).toThrow(
        `segment: got warmupStart ${segment.warmupStart}, start ${segment.start}, end ${segment.end}, expected integers with 0 <= warmupStart <= start <= end <= 300`,
      );
    }
  });

  it('a walk-forward chain: in-sample grid, best combination, out-of-sample run from the last equity', () => {
    const strategy = builtinStrategies.volume_zone_breakout;
    const fixedParams = paramsOf('volume_zone_breakout', { num_bins: 8 });
    const plan = planSweep({ strategy, fixedParams, grid: { volume_window: [8, 16], breakout_buffer: [0, 0.01] }, periodsPerYear: 365 });
    let equity = fixedParams.initial_capital as number;
    for (const fold of walkForwardFolds(candles.length, { folds: 3, in_sample_pct: 60, anchored: false })) {
      const rows = allocateSweepRows(4);
      evaluateSweep(plan, candles, comboIdRange(0, 4), rows, { segment: inSampleSegment(fold) });
      const chosen = { ...fixedParams, ...comboParams(plan.layout, 0) };
      const segment = outOfSampleSegment(fold, strategyWarmupBars(strategy, chosen));
      const output = runSegmentBacktest(candles, strategy, chosen, segment, { periodsPerYear: 365, initialEquity: equity });
      expect(output.curve.length).toBe(fold.outOfSampleEnd - fold.outOfSampleStart);
      equity = output.curve.equity[output.curve.length - 1];
    }
    expect(equity).toBeGreaterThan(0);
  });
});
