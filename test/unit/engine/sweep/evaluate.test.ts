import fc from 'fast-check';
import { z } from 'zod';
import { runBacktest, runSegmentBacktest, runStrategyBacktest, type Segment } from '../../../../src/engine/backtest';
import { executionParamsSchema } from '../../../../src/engine/execution';
import { builtinStrategies, type BuiltinStrategyId } from '../../../../src/engine/strategies';
import { RESISTANCE_SCAN_BREAK_EVEN } from '../../../../src/engine/strategies/volumeZoneBreakout';
import { defineStrategy, holdPeriodBarsSchema, type SharedSignals, type Strategy } from '../../../../src/engine/strategy';
import {
  allocateSweepRows,
  comboIdRange,
  comboParams,
  evaluateSweep,
  gridSize,
  planSweep,
  sampleComboIds,
  type Grid,
  type ParamValue,
  type SweepRows,
} from '../../../../src/engine/sweep';
import { summaryMetrics, type Candles, type SymbolSummary } from '../../../../src/engine/types';
import goldenBars from '../golden/candles-64x1d.json';
import type { Bar } from '../reference';
import { candlesFromBars, gridBar, marketBars, walkBars } from '../helpers';

const channelParams = z.object({
  entry_lookback: z.number().int().min(1).max(20).default(3),
  exit_lookback: z.number().int().min(1).max(20).default(2),
  hold_period_bars: holdPeriodBarsSchema,
});

/** A plugin with exits: enter when the close tops the last `entry_lookback` closes, exit when it falls below the last `exit_lookback`. */
const channel = defineStrategy({
  id: 'test_channel',
  description: 'Channel breakout entries with channel breakdown exits, for tests.',
  paramsSchema: channelParams,
  signalsInto: (candles, params, out) => extremeBreaksInto(candles.close, candles.length, params.entry_lookback, 1, out),
  exitsInto: (candles, params, out) => extremeBreaksInto(candles.close, candles.length, params.exit_lookback, -1, out),
  warmupBars: (params) => Math.max(params.entry_lookback, params.exit_lookback),
});

/** `out[i] = 1` where `side * close[i]` exceeds `side * close` of each of the `lookback` bars before i. */
function extremeBreaksInto(close: Float64Array, barCount: number, lookback: number, side: number, out: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < barCount; i++) {
    let breaks = i >= lookback ? 1 : 0;
    for (let j = i - lookback; j < i && breaks === 1; j++) if (!(side * close[i] > side * close[j])) breaks = 0;
    out[i] = breaks;
    count += breaks;
  }
  return count;
}

const momentumParams = z.object({
  period: z.number().int().min(1).max(10).default(2),
  threshold: z.number().min(0).max(0.2).default(0.01),
  hold_period_bars: holdPeriodBarsSchema,
});

/** Per bar the return over `period` bars: the momentum plugin's shared preparation. */
function periodReturns(candles: Candles, period: number): Float64Array {
  const returns = new Float64Array(candles.length).fill(NaN);
  for (let i = period; i < candles.length; i++) returns[i] = candles.close[i] / candles.close[i - period] - 1;
  return returns;
}

function thresholdSignalsInto(returns: Float64Array, barCount: number, threshold: number, side: number, out: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < barCount; i++) {
    out[i] = side * returns[i] > threshold ? 1 : 0;
    count += out[i];
  }
  return count;
}

const momentumSharing: SharedSignals<z.output<typeof momentumParams>, Float64Array> = {
  sharedParams: ['period'],
  prepare: (candles, params) => periodReturns(candles, params.period),
  signalsInto: (returns, candles, params, out) => thresholdSignalsInto(returns, candles.length, params.threshold, 1, out),
  exitsInto: (returns, candles, params, out) => thresholdSignalsInto(returns, candles.length, params.threshold, -1, out),
};

/** A plugin with exits and a shared preparation of both: momentum over `period` bars beyond `threshold`, up or down. */
const momentum = defineStrategy({
  id: 'test_momentum',
  description: 'Momentum entries and exits from one shared return series, for tests.',
  paramsSchema: momentumParams,
  signalsInto: (candles, params, out) =>
    thresholdSignalsInto(periodReturns(candles, params.period), candles.length, params.threshold, 1, out),
  exitsInto: (candles, params, out) =>
    thresholdSignalsInto(periodReturns(candles, params.period), candles.length, params.threshold, -1, out),
  sharedSignals: momentumSharing,
});

/** Up to three distinct values. */
const valuesOf = <Value extends ParamValue>(value: fc.Arbitrary<Value>) =>
  fc.uniqueArray(value, { minLength: 1, maxLength: 3, comparator: (a, b) => Object.is(a, b) });

const strategyValues: Record<string, Record<string, fc.Arbitrary<ParamValue>>> = {
  volume_zone_breakout: {
    volume_window: fc.integer({ min: 2, max: 12 }),
    top_percentile: fc.oneof(fc.constantFrom(0.1, 0.25, 0.5, 1), fc.double({ min: 0.01, max: 1, noNaN: true })),
    breakout_buffer: fc.oneof(fc.constantFrom(0, 0.005, 0.02), fc.double({ min: 0, max: 0.1, noNaN: true })),
    num_bins: fc.integer({ min: 1, max: 12 }),
    include_wicks: fc.boolean(),
  },
  volume_long_candle: {
    vol_ma_window: fc.integer({ min: 1, max: 12 }),
    vol_multiplier: fc.oneof(fc.constantFrom(0.5, 1, 1.5), fc.double({ min: 0.2, max: 2, noNaN: true })),
    body_pct: fc.oneof(fc.constantFrom(0.002, 0.01, 0.02), fc.double({ min: 0.0005, max: 0.03, noNaN: true })),
  },
  test_channel: { entry_lookback: fc.integer({ min: 1, max: 6 }), exit_lookback: fc.integer({ min: 1, max: 6 }) },
  test_momentum: { period: fc.integer({ min: 1, max: 5 }), threshold: fc.constantFrom(0, 0.005, 0.01, 0.03) },
};

const executionValues: Record<string, fc.Arbitrary<ParamValue>> = {
  hold_period_bars: fc.integer({ min: 0, max: 5 }),
  initial_capital: fc.constantFrom(1000, 1e6),
  position_size: fc.constantFrom(1, 0.5, 0.1),
  fee_rate: fc.constantFrom(0, 0.0005, 0.01),
  slippage_bps: fc.constantFrom(0, 10, 100),
  direction: fc.constantFrom('long', 'short'),
  stop_loss_pct: fc.constantFrom(null, 1, 5),
  take_profit_pct: fc.constantFrom(null, 2, 8),
  trailing_stop_pct: fc.constantFrom(null, 3),
  max_hold_bars: fc.constantFrom(null, 1, 3),
};

const testStrategies: Record<string, Strategy> = { ...builtinStrategies, test_channel: channel, test_momentum: momentum };

/**
 * Some parameters swept (a few values each); the strategy's others fixed to a random value of the same small pools
 * (its defaults are made for long series), the execution parameters fixed at random or left to their defaults.
 */
function sweepCase(strategyId: string) {
  const pools = { ...strategyValues[strategyId], ...executionValues };
  const names = Object.keys(pools);
  return fc.record({
    swept: fc.subarray(names, { minLength: 0, maxLength: 4 }),
    fixed: fc.record(Object.fromEntries(names.map((name) => [name, pools[name]])), {
      requiredKeys: Object.keys(strategyValues[strategyId]),
    }),
    grid: fc.record(Object.fromEntries(names.map((name) => [name, valuesOf(pools[name])]))),
  });
}

const caseArbitrary = fc.constantFrom(...Object.keys(testStrategies)).chain((strategyId) =>
  fc.record({
    strategyId: fc.constant(strategyId),
    sweep: sweepCase(strategyId),
    bars: fc.oneof(
      fc.array(gridBar, { minLength: 20, maxLength: 100 }),
      fc.integer({ min: 20, max: 120 }).chain((length) => walkBars(length)),
      { arbitrary: fc.integer({ min: 20, max: 150 }).chain((length) => marketBars(length)), weight: 3 },
    ),
    order: fc.constantFrom('grid', 'sample', 'shuffled'),
    orderSeed: fc.integer({ min: 0, max: 2 ** 31 }),
    segmentCut: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { freq: 2 }),
    signalMemoryBytes: fc.constantFrom(undefined, 1, 150),
    progressEvery: fc.integer({ min: 1, max: 7 }),
  }),
);

/** The ids a case evaluates: the grid (at most 40), a random sample, or a shuffled sample with a repeat. */
function comboIdsOf(size: number, order: string, seed: number): number[] {
  if (order === 'grid' && size <= 40) return Array.from(comboIdRange(0, size));
  const sample = Array.from(sampleComboIds(size, Math.min(size, 25), seed));
  if (order !== 'shuffled') return sample;
  const shuffled = fc.sample(fc.shuffledSubarray(sample, { minLength: sample.length, maxLength: sample.length }), { seed, numRuns: 1 })[0];
  return [...shuffled, shuffled[0]];
}

/** A segment starting in the first half of the bars, warmed up on up to half the bars before it. */
function segmentOf(barCount: number, cut: [number, number] | null): Segment | undefined {
  if (cut === null) return undefined;
  const start = Math.floor((cut[0] * barCount) / 2);
  const end = start + Math.ceil(cut[1] * (barCount - start));
  return { warmupStart: Math.floor(start / 2), start, end };
}

/** Every metric of row `row` against a summary, bit for bit (NaN stands for null). */
function expectRow(rows: SweepRows, row: number, comboId: number, expected: SymbolSummary): void {
  expect(rows.comboId[row]).toBe(comboId);
  const mismatched = summaryMetrics.filter((metric) => !Object.is(rows.metrics[metric][row], expected[metric] ?? NaN));
  expect(mismatched.map((metric) => [metric, rows.metrics[metric][row], expected[metric]])).toEqual([]);
}

describe('evaluateSweep', () => {
  it('gives every row the summary runBacktest gives its combination, in every metric, bit for bit', () => {
    fc.assert(
      fc.property(caseArbitrary, (testCase) => {
        const { strategyId, sweep, bars, order, orderSeed, segmentCut, signalMemoryBytes, progressEvery } = testCase;
        const strategy = testStrategies[strategyId];
        const fixedParams = { ...strategy.paramsSchema.parse(sweep.fixed), ...executionParamsSchema.parse(sweep.fixed) };
        const grid: Grid = Object.fromEntries(sweep.swept.map((name) => [name, sweep.grid[name]]));
        const plan = planSweep({ strategy, fixedParams, grid, periodsPerYear: 365 });
        const candles = candlesFromBars(bars);
        const comboIds = comboIdsOf(gridSize(grid), order, orderSeed);
        const segment = segmentOf(bars.length, segmentCut);
        const rows = allocateSweepRows(comboIds.length);
        const progress: number[] = [];
        const onProgress = (nextIndex: number) => void progress.push(nextIndex);
        expect(evaluateSweep(plan, candles, comboIds, rows, { segment, signalMemoryBytes, progressEvery, onProgress })).toBe(
          comboIds.length,
        );
        comboIds.forEach((comboId, row) => {
          const params = { ...fixedParams, ...comboParams(plan.layout, comboId) };
          const expected =
            segment !== undefined
              ? runSegmentBacktest(candles, strategy, params, segment, { periodsPerYear: 365 })
              : strategyId in builtinStrategies
                ? runBacktest(candles, strategyId as BuiltinStrategyId, params, { periodsPerYear: 365 })
                : runStrategyBacktest(candles, strategy, params, { periodsPerYear: 365 });
          expectRow(rows, row, comboId, expected.summary);
        });
        // progress only moves forward and stays below the end
        expect(progress.every((value, k) => value < comboIds.length && (k === 0 || value >= progress[k - 1]))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['volume_zone_breakout', { breakout_buffer: [0, 0.001, 0.003, 0.006], top_percentile: [0.2, 0.5], num_bins: [10, 25] }],
    ['volume_long_candle', { vol_multiplier: [0.8, 1.3], body_pct: [0.002, 0.006, 0.01], vol_ma_window: [5, 30] }],
  ] as const)('matches runBacktest on 3,000 market-like bars with stops, shorts and hold 0 (%s)', (strategyId, strategyGrid) => {
    const [bars] = fc.sample(marketBars(3000), { seed: 11, numRuns: 1 });
    const candles = candlesFromBars(bars);
    const strategy = builtinStrategies[strategyId];
    const fixedParams = { ...strategy.paramsSchema.parse({ volume_window: 40 }), ...executionParamsSchema.parse({ take_profit_pct: 6 }) };
    const grid: Grid = { ...strategyGrid, hold_period_bars: [0, 3], stop_loss_pct: [null, 2], direction: ['long', 'short'] };
    const plan = planSweep({ strategy, fixedParams, grid, periodsPerYear: 8760 });
    const comboIds = sampleComboIds(plan.layout.size, 40, 5);
    const rows = allocateSweepRows(40);
    evaluateSweep(plan, candles, comboIds, rows);
    comboIds.forEach((comboId, row) => {
      const params = { ...fixedParams, ...comboParams(plan.layout, comboId) };
      expectRow(rows, row, comboId, runBacktest(candles, strategyId, params, { periodsPerYear: 8760 }).summary);
    });
    // every row trades (hold 0 without a stop holds one position to the end), most of them many times
    expect(Math.min(...rows.metrics.total_signals.subarray(0, 40))).toBeGreaterThanOrEqual(1);
    expect(rows.metrics.total_signals.filter((trades) => trades > 10).length).toBeGreaterThan(20);
  });

  it('gives the rows of a 2 x 3 grid of volume_zone_breakout on the golden candles', () => {
    const candles = candlesFromBars(goldenBars);
    const fixedParams = {
      ...builtinStrategies.volume_zone_breakout.paramsSchema.parse({ volume_window: 12, num_bins: 8 }),
      ...executionParamsSchema.parse({}),
    };
    const grid = { breakout_buffer: [0, 0.01, 0.02], hold_period_bars: [1, 3] };
    const plan = planSweep({ strategy: builtinStrategies.volume_zone_breakout, fixedParams, grid, periodsPerYear: 365 });
    const rows = allocateSweepRows(6);
    expect(evaluateSweep(plan, candles, comboIdRange(0, 6), rows)).toBe(6);
    const expectedParams = [
      { breakout_buffer: 0, hold_period_bars: 1 },
      { breakout_buffer: 0, hold_period_bars: 3 },
      { breakout_buffer: 0.01, hold_period_bars: 1 },
      { breakout_buffer: 0.01, hold_period_bars: 3 },
      { breakout_buffer: 0.02, hold_period_bars: 1 },
      { breakout_buffer: 0.02, hold_period_bars: 3 },
    ];
    expectedParams.forEach((swept, row) => {
      expect(comboParams(plan.layout, row)).toEqual(swept);
      expectRow(
        rows,
        row,
        row,
        runBacktest(candles, 'volume_zone_breakout', { ...fixedParams, ...swept }, { periodsPerYear: 365 }).summary,
      );
    });
    expect(Array.from(rows.metrics.total_signals)).toEqual(expectedParams.map((_, row) => rows.metrics.total_signals[row]));
    expect(rows.metrics.total_signals[0]).toBeGreaterThan(0);
  });
});

/** A strategy whose methods count their calls (the sharing hook too), delegating to `strategy`. */
function counted(strategy: Strategy) {
  const calls = { signalsInto: 0, exitsInto: 0, prepare: 0, preparedFor: [] as number[], sharedSignalsInto: 0, sharedExitsInto: 0 };
  const sharing = strategy.sharedSignals;
  const wrapped: Strategy = {
    ...strategy,
    signalsInto: (candles, params, out) => (calls.signalsInto++, strategy.signalsInto(candles, params, out)),
    exitsInto: strategy.exitsInto && ((candles, params, out) => (calls.exitsInto++, strategy.exitsInto!(candles, params, out))),
    sharedSignals: sharing && {
      sharedParams: sharing.sharedParams,
      prepare: (candles, params, count) => (calls.prepare++, calls.preparedFor.push(count), sharing.prepare(candles, params, count)),
      signalsInto: (prepared, candles, params, out) => (calls.sharedSignalsInto++, sharing.signalsInto(prepared, candles, params, out)),
      exitsInto:
        sharing.exitsInto &&
        ((prepared, candles, params, out) => (calls.sharedExitsInto++, sharing.exitsInto!(prepared, candles, params, out))),
    },
  };
  return { strategy: wrapped, calls };
}

const golden = candlesFromBars(goldenBars);

function evaluateAll(strategy: Strategy, grid: Grid, overrides: Record<string, unknown> = {}): SweepRows {
  const fixedParams = { ...strategy.paramsSchema.parse(overrides), ...executionParamsSchema.parse({}) };
  const plan = planSweep({ strategy, fixedParams, grid, periodsPerYear: 365 });
  const rows = allocateSweepRows(plan.layout.size);
  evaluateSweep(plan, golden, comboIdRange(0, plan.layout.size), rows);
  return rows;
}

describe('evaluateSweep shares work where the result cannot change', () => {
  it('computes the signals (and exits) once per distinct signal parameter set, whatever the execution parameters', () => {
    const { strategy, calls } = counted(channel);
    evaluateAll(strategy, {
      entry_lookback: [2, 3],
      hold_period_bars: [0, 1, 3],
      fee_rate: [0, 0.001],
      stop_loss_pct: [null, 2],
      direction: ['long', 'short'],
    });
    expect(calls).toMatchObject({ signalsInto: 2, exitsInto: 2 });
  });

  it('prepares once per shared key and derives every signal set of it, exits included', () => {
    const { strategy, calls } = counted(momentum);
    evaluateAll(strategy, { period: [1, 2, 4], threshold: [0, 0.01], hold_period_bars: [1, 2] });
    expect(calls).toMatchObject({
      prepare: 3,
      preparedFor: [2, 2, 2],
      sharedSignalsInto: 6,
      sharedExitsInto: 6,
      signalsInto: 0,
      exitsInto: 0,
    });
  });

  it('shares one resistance scan between the breakout buffers of volume_zone_breakout, from the break-even on', () => {
    const buffers = [0, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05];
    const { strategy, calls } = counted(builtinStrategies.volume_zone_breakout);
    const rows = evaluateAll(strategy, { volume_window: [8, 12], breakout_buffer: buffers, hold_period_bars: [1, 4] }, { num_bins: 8 });
    expect(calls).toMatchObject({ prepare: 2, preparedFor: [8, 8], sharedSignalsInto: 16, signalsInto: 0 });
    expect(Array.from(rows.metrics.total_signals).some((count) => count > 0)).toBe(true);
    // below the break-even the strategy's own signalsInto runs per buffer
    const few = counted(builtinStrategies.volume_zone_breakout);
    evaluateAll(few.strategy, { breakout_buffer: buffers.slice(0, RESISTANCE_SCAN_BREAK_EVEN - 1) }, { volume_window: 8 });
    expect(few.calls).toMatchObject({ prepare: 1, sharedSignalsInto: 0, signalsInto: RESISTANCE_SCAN_BREAK_EVEN - 1 });
  });

  it('shares one volume average between the multipliers and body sizes of volume_long_candle', () => {
    const { strategy, calls } = counted(builtinStrategies.volume_long_candle);
    evaluateAll(strategy, { vol_ma_window: [3, 5], vol_multiplier: [1.1, 1.5, 2], body_pct: [0.005, 0.01], fee_rate: [0, 0.001] });
    expect(calls).toMatchObject({ prepare: 2, sharedSignalsInto: 12, signalsInto: 0 });
  });

  it('hands a strategy cleared signal arrays, as runBacktest does, even when it writes only its signals', () => {
    // a plugin that writes its 1s and relies on the array being zeroed
    const sloppy = defineStrategy({
      ...channel,
      id: 'test_sloppy',
      signalsInto: (candles, params, out) => {
        for (let i = params.entry_lookback; i < candles.length; i += params.entry_lookback + 1) out[i] = 1;
        return 0;
      },
      exitsInto: undefined,
    });
    const fixedParams = { ...sloppy.paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
    const plan = planSweep({ strategy: sloppy, fixedParams, grid: { entry_lookback: [1, 5, 9] }, periodsPerYear: 365 });
    const rows = allocateSweepRows(3);
    evaluateSweep(plan, golden, [0, 1, 2], rows, { signalMemoryBytes: 1 });
    for (const row of [0, 1, 2]) {
      const params = { ...fixedParams, ...comboParams(plan.layout, row) };
      expectRow(rows, row, row, runStrategyBacktest(golden, sloppy, params, { periodsPerYear: 365 }).summary);
    }
  });

  it('gives the same rows when the signal memory holds one signal set at a time', () => {
    const grid = { entry_lookback: [2, 3, 4], exit_lookback: [1, 2], hold_period_bars: [1, 2] };
    const fixedParams = { ...channel.paramsSchema.parse({}), ...executionParamsSchema.parse({}) };
    const plan = planSweep({ strategy: channel, fixedParams, grid, periodsPerYear: 365 });
    const whole = allocateSweepRows(12);
    const windowed = allocateSweepRows(12);
    evaluateSweep(plan, golden, comboIdRange(0, 12), whole);
    evaluateSweep(plan, golden, comboIdRange(0, 12), windowed, { signalMemoryBytes: 1 });
    for (const metric of summaryMetrics) expect(Array.from(windowed.metrics[metric])).toEqual(Array.from(whole.metrics[metric]));
  });
});

describe('evaluateSweep progress, stop and resume', () => {
  const strategy = builtinStrategies.volume_long_candle;
  const fixedParams = { ...strategy.paramsSchema.parse({ vol_ma_window: 5 }), ...executionParamsSchema.parse({}) };
  const plan = planSweep({
    strategy,
    fixedParams,
    grid: { vol_multiplier: [1.1, 1.5], body_pct: [0.005, 0.01, 0.02], hold_period_bars: [1, 2, 3, 4, 5] },
    periodsPerYear: 365,
  });
  const comboIds = comboIdRange(0, 30);

  it('reports the next index after every progressEvery rows and after each signal set, never after the last row', () => {
    const progress: number[] = [];
    evaluateSweep(plan, golden, comboIds, allocateSweepRows(30), { progressEvery: 8, onProgress: (next) => void progress.push(next) });
    // six signal sets at index 0, then rows 8, 16, 24
    expect(progress).toEqual([0, 0, 0, 0, 0, 0, 8, 16, 24]);
  });

  it('stops when onProgress returns false, and a resumed call finishes with the rows of an uninterrupted one', () => {
    const uninterrupted = allocateSweepRows(30);
    evaluateSweep(plan, golden, comboIds, uninterrupted);
    const rows = allocateSweepRows(30);
    let calls = 0;
    const stopAtSecondRowReport = (next: number) => !(next > 0 && ++calls === 2);
    const stoppedAt = evaluateSweep(plan, golden, comboIds, rows, { progressEvery: 7, onProgress: stopAtSecondRowReport });
    expect(stoppedAt).toBe(14);
    expect(rows.comboId[14]).toBe(0);
    const stopDuringSignals = evaluateSweep(plan, golden, comboIds, allocateSweepRows(30), { onProgress: () => false });
    expect(stopDuringSignals).toBe(0);
    expect(evaluateSweep(plan, golden, comboIds, rows, { resumeAt: stoppedAt })).toBe(30);
    expect(Array.from(rows.comboId)).toEqual(Array.from(comboIds));
    for (const metric of summaryMetrics) expect(Array.from(rows.metrics[metric])).toEqual(Array.from(uninterrupted.metrics[metric]));
  });
});

describe('evaluateSweep and planSweep refuse what they cannot evaluate', () => {
  const strategy = builtinStrategies.volume_zone_breakout;
  const fixedParams = { ...strategy.paramsSchema.parse({}), ...executionParamsSchema.parse({}) };

  it('names the parameter or value at fault', () => {
    expect(() => planSweep({ strategy, fixedParams, grid: { window: [1] }, periodsPerYear: 365 })).toThrow(
      'grid.window: not a parameter of volume_zone_breakout nor an execution parameter',
    );
    expect(() => planSweep({ strategy, fixedParams, grid: { volume_window: [20, 40, 1] }, periodsPerYear: 365 })).toThrow(
      'grid.volume_window[2]: got 1, expected a value its schema accepts (Too small: expected number to be >=2)',
    );
    expect(() => planSweep({ strategy, fixedParams, grid: { stop_loss_pct: [null, 120] }, periodsPerYear: 365 })).toThrow(
      'grid.stop_loss_pct[1]: got 120, expected a value its schema accepts',
    );
    expect(() => planSweep({ strategy, fixedParams: { ...fixedParams, fee_rate: undefined }, grid: {}, periodsPerYear: 365 })).toThrow(
      'params.fee_rate: got undefined, expected a number',
    );
    expect(() => planSweep({ strategy, fixedParams, grid: {}, periodsPerYear: 0 })).toThrow('periodsPerYear: got 0');
  });

  it('refuses combo ids outside the grid, too few rows, a resume point outside the ids and bad options', () => {
    const plan = planSweep({ strategy, fixedParams, grid: { volume_window: [20, 40] }, periodsPerYear: 365 });
    expect(() => evaluateSweep(plan, golden, [0, 2], allocateSweepRows(2))).toThrow('combo id: got 2, expected an integer in [0, 2)');
    expect(() => evaluateSweep(plan, golden, [0, 1], allocateSweepRows(1))).toThrow(
      'rows: room for 1, expected at least 2 (one per combo id)',
    );
    expect(() => evaluateSweep(plan, golden, [0, 1], allocateSweepRows(2), { resumeAt: 3 })).toThrow(
      'resumeAt: got 3, expected an integer in [0, 2]',
    );
    expect(() => evaluateSweep(plan, golden, [0, 1], allocateSweepRows(2), { signalMemoryBytes: NaN })).toThrow(
      'signalMemoryBytes: got NaN, expected a number >= 0',
    );
    expect(() => evaluateSweep(plan, golden, [0, 1], allocateSweepRows(2), { progressEvery: 0 })).toThrow(
      'progressEvery: got 0, expected an integer >= 1',
    );
  });

  it('lets a grid value override a fixed default of the same parameter', () => {
    const plan = planSweep({ strategy, fixedParams, grid: { volume_window: [8] }, periodsPerYear: 365 });
    const rows = allocateSweepRows(1);
    evaluateSweep(plan, golden, [0], rows);
    expectRow(
      rows,
      0,
      0,
      runBacktest(golden, 'volume_zone_breakout', { ...fixedParams, volume_window: 8 }, { periodsPerYear: 365 }).summary,
    );
  });
});

// keep the Bar type in use for readers of the generators above
export type { Bar };
