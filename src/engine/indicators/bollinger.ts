import { checkArguments, checkNoOverlap } from './common';
import { smaInto } from './sma';

export interface BollingerBands {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger bands: `middle` = the `period`-bar simple moving average (see `smaInto`), `upper` / `lower` = middle ±
 * `multiplier` × the **population** standard deviation of the same window (divided by `period`, as trading-signals'
 * `BollingerBands` and John Bollinger's definition; pandas' `rolling().std()` would divide by period - 1). NaN where
 * the average is. Bars are `input.length`; the three outputs must be at least as long, separate from `input` and from each other.
 * Returns the number of bars with bands (not NaN).
 *
 * The window's sum of squared deviations slides in O(1) per bar (a Welford-style update from the old and new
 * means) and is recomputed exactly, two-pass, once every `period` bars, after every NaN window, and whenever it
 * falls below 1e-4 of its largest value since the last recompute (a calm window after a volatile one, where the
 * slide's rounding would no longer be small against it).
 */
export function bollingerInto(
  input: Float64Array,
  period: number,
  multiplier: number,
  middle: Float64Array,
  upper: Float64Array,
  lower: Float64Array,
): number {
  checkArguments('bollingerInto', input, period, middle, upper, lower);
  checkNoOverlap('bollingerInto', upper, middle);
  checkNoOverlap('bollingerInto', lower, middle);
  checkNoOverlap('bollingerInto', lower, upper);
  if (!(multiplier >= 0 && multiplier < Infinity)) {
    throw new RangeError(`bollingerInto: multiplier got ${multiplier}, expected a finite number >= 0`);
  }
  const length = input.length;
  smaInto(input, period, middle);
  // sum of squared deviations from the mean over the current window; NaN = recompute it
  let squaredDeviations = NaN;
  let previousMean = NaN;
  let largestSinceRecompute = 0;
  let barsUntilRecompute = period;
  let defined = 0;
  // each bar with an average: slide (or recompute) the squared deviations, then set the bands around the mean
  for (let i = 0; i < length; i++) {
    const mean = middle[i];
    if (mean !== mean) {
      upper[i] = NaN;
      lower[i] = NaN;
      squaredDeviations = NaN;
      continue;
    }
    let recompute = squaredDeviations !== squaredDeviations || --barsUntilRecompute === 0;
    if (!recompute) {
      const entering = input[i];
      const leaving = input[i - period];
      squaredDeviations += (entering - leaving) * (entering - mean + leaving - previousMean);
      if (squaredDeviations > largestSinceRecompute) largestSinceRecompute = squaredDeviations;
      // far calmer than a window since the last recompute: the slide's rounding is no longer small against it
      recompute = squaredDeviations < largestSinceRecompute * 1e-4;
    }
    if (recompute) {
      barsUntilRecompute = period;
      squaredDeviations = 0;
      // the exact two-pass sum over the window
      for (let j = i - period + 1; j <= i; j++) squaredDeviations += (input[j] - mean) * (input[j] - mean);
      largestSinceRecompute = squaredDeviations;
    }
    previousMean = mean;
    const width = Math.sqrt(squaredDeviations / period) * multiplier;
    upper[i] = mean + width;
    lower[i] = mean - width;
    defined++;
  }
  return defined;
}

/** `bollingerInto` into three new arrays of `input.length` values; the multiplier defaults to 2. */
export function bollinger(input: Float64Array, period: number, multiplier = 2): BollingerBands {
  const bands = { middle: new Float64Array(input.length), upper: new Float64Array(input.length), lower: new Float64Array(input.length) };
  bollingerInto(input, period, multiplier, bands.middle, bands.upper, bands.lower);
  return bands;
}
