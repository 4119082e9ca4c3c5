/**
 * Walk-forward folds, warm-up and efficiency (DESIGN.md section 12, "Walk-forward"). Bar indices count from the
 * range's first candle (0) to its candle count N; every range below is half-open, [start, end).
 *
 * Folds: the N candles are cut into `folds` consecutive windows, window k = [floor(k N / folds),
 * floor((k + 1) N / folds)): equal up to one candle (the longer ones last), every candle in exactly one window. In
 * window k of W candles the first floor(W * in_sample_pct / 100) are in sample, the rest out of sample; with
 * `anchored` the in-sample part starts at candle 0 instead of the window's first candle (same end).
 *
 * Warm-up: the out-of-sample run of fold k reads the `warmupBars` candles before its first bar (fewer at the start of
 * the range) so that the strategy's windows are full at that bar: signals are computed over [warmupStart, end), no
 * trade opens before `start`, the curve and the metrics cover [start, end) only (see `runSegmentBacktest`), and nothing
 * at or after `end` is read. The in-sample evaluation is a plain backtest of its candles (no warm-up), like a
 * backtest of that date range.
 */
import { comboParams, type GridLayout } from './grid';
import type { Segment } from '../backtest';
import type { Strategy } from '../strategy';

export interface WalkForwardSpec {
  /** Consecutive windows, >= 1. */
  folds: number;
  /** Share of each window in sample, in % (0 < pct < 100). */
  in_sample_pct: number;
  /** In-sample parts start at the range's first candle. */
  anchored: boolean;
}

/** One fold's bars, half-open ranges of bar indices into the range's candles. */
export interface Fold {
  /** 0-based fold number. */
  fold: number;
  inSampleStart: number;
  inSampleEnd: number;
  /** Equal to `inSampleEnd`. */
  outOfSampleStart: number;
  outOfSampleEnd: number;
}

/** Cuts `barCount` candles into folds (see the file's comment); throws if a fold would have no in- or out-of-sample bar. */
export function walkForwardFolds(barCount: number, spec: WalkForwardSpec): Fold[] {
  const { folds, in_sample_pct: inSamplePct, anchored } = spec;
  if (!Number.isInteger(folds) || folds < 1) throw new RangeError(`folds: got ${folds}, expected an integer >= 1`);
  if (!(inSamplePct > 0 && inSamplePct < 100)) throw new RangeError(`in_sample_pct: got ${inSamplePct}, expected a number in (0, 100)`);
  if (!Number.isSafeInteger(barCount) || barCount < 0) throw new RangeError(`candles: got ${barCount}, expected a whole number`);
  const result: Fold[] = [];
  // each window, its in-sample head and out-of-sample tail
  for (let fold = 0; fold < folds; fold++) {
    const windowStart = Math.floor((fold * barCount) / folds);
    const windowEnd = Math.floor(((fold + 1) * barCount) / folds);
    const inSampleEnd = windowStart + Math.floor(((windowEnd - windowStart) * inSamplePct) / 100);
    if (inSampleEnd === windowStart || inSampleEnd === windowEnd) {
      throw new RangeError(
        `walk_forward: ${barCount} candles in ${folds} folds at ${inSamplePct} % in sample leave fold ${fold} with ` +
          `${inSampleEnd - windowStart} in-sample and ${windowEnd - inSampleEnd} out-of-sample candles, expected at least 1 of each`,
      );
    }
    result.push({
      fold,
      inSampleStart: anchored ? 0 : windowStart,
      inSampleEnd,
      outOfSampleStart: inSampleEnd,
      outOfSampleEnd: windowEnd,
    });
  }
  return result;
}

/** The warm-up a strategy needs for `params` (`Strategy.warmupBars`, 0 when it does not say). */
export function strategyWarmupBars(strategy: Strategy, params: Record<string, unknown>): number {
  const bars = strategy.warmupBars === undefined ? 0 : strategy.warmupBars(params);
  if (!Number.isSafeInteger(bars) || bars < 0) throw new RangeError(`${strategy.id}.warmupBars: got ${bars}, expected a whole number`);
  return bars;
}

/** The in-sample segment of a fold: a plain backtest of its candles, without warm-up (see the file's comment). */
export function inSampleSegment(fold: Fold): Segment {
  return { warmupStart: fold.inSampleStart, start: fold.inSampleStart, end: fold.inSampleEnd };
}

/** The out-of-sample segment of a fold, warmed up on up to `warmupBars` candles before it (never before candle 0). */
export function outOfSampleSegment(fold: Fold, warmupBars: number): Segment {
  return { warmupStart: Math.max(0, fold.outOfSampleStart - warmupBars), start: fold.outOfSampleStart, end: fold.outOfSampleEnd };
}

/**
 * A return over `bars` bars as a yearly rate, CAGR-style, in %: ((1 + returnPct / 100)^(periodsPerYear / bars) - 1) * 100.
 * A loss of everything (or more, a short) is -100. Null where undefined: no bars, or a result too large for a double.
 */
export function annualisedReturnPct(returnPct: number, bars: number, periodsPerYear: number): number | null {
  if (!(bars > 0) || !(periodsPerYear > 0) || !Number.isFinite(returnPct)) return null;
  if (returnPct <= -100) return -100;
  const annualised = Math.expm1((periodsPerYear / bars) * Math.log1p(returnPct / 100)) * 100;
  return Number.isFinite(annualised) ? annualised : null;
}

/** What the efficiency of one fold reads: the chosen combination's total return (total_pnl_pct) in and out of sample. */
export interface FoldReturns {
  inSampleReturnPct: number;
  inSampleBars: number;
  outOfSampleReturnPct: number;
  outOfSampleBars: number;
}

export interface WalkForwardEfficiency {
  /** Per fold: annualised out-of-sample return / annualised in-sample return, or null (see `walkForwardEfficiency`). */
  perFold: (number | null)[];
  /** The mean of the folds' values that are not null; null when all are. */
  efficiency: number | null;
}

/**
 * Walk-forward efficiency = mean over folds of (annualised out-of-sample return / annualised in-sample return), both
 * annualised by `annualisedReturnPct` from their own bar counts. A fold whose annualised in-sample return is 0 or
 * negative has no efficiency (null: the ratio would be infinite, or its sign meaningless) and is left out of the
 * mean; so is a fold with an undefined return. Never NaN: null where undefined.
 */
export function walkForwardEfficiency(folds: readonly FoldReturns[], periodsPerYear: number): WalkForwardEfficiency {
  const perFold = folds.map((fold) => {
    const inSample = annualisedReturnPct(fold.inSampleReturnPct, fold.inSampleBars, periodsPerYear);
    const outOfSample = annualisedReturnPct(fold.outOfSampleReturnPct, fold.outOfSampleBars, periodsPerYear);
    if (inSample === null || outOfSample === null || !(inSample > 0)) return null;
    const ratio = outOfSample / inSample;
    return Number.isFinite(ratio) ? ratio : null;
  });
  const defined = perFold.filter((value): value is number => value !== null);
  const efficiency = defined.length === 0 ? null : defined.reduce((sum, value) => sum + value, 0) / defined.length;
  return { perFold, efficiency };
}

/** Combinations checked one by one for their warm-up; beyond, each swept number at its largest value. */
const EXACT_WARMUP_COMBINATIONS = 5000;

/** The most warm-up any combination of the sweep needs. */
export function largestWarmupBars(strategy: Strategy, fixedParams: Record<string, unknown>, layout: GridLayout): number {
  if (layout.size <= EXACT_WARMUP_COMBINATIONS) {
    let largest = 0;
    for (let comboId = 0; comboId < layout.size; comboId++) {
      largest = Math.max(largest, strategyWarmupBars(strategy, { ...fixedParams, ...comboParams(layout, comboId) }));
    }
    return largest;
  }
  const largestValues = Object.fromEntries(
    layout.names.map((name, index) => [
      name,
      layout.values[index].reduce((a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : a)),
    ]),
  );
  return strategyWarmupBars(strategy, { ...fixedParams, ...largestValues });
}
