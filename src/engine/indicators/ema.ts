import { checkArguments, filled } from './common';

/**
 * Exponential moving average with `alpha = 2 / (period + 1)`: `ema = value * alpha + ema * (1 - alpha)`, seeded with
 * the first value (pandas `ewm(span=period, adjust=False)`, trading-signals' `EMA`). The first `period - 1` values
 * are warm-up and written as NaN, as trading-signals reports none before `period` inputs. Leading NaN values (an
 * upstream indicator's warm-up) are skipped: the first value after them seeds the average. A NaN after that makes
 * every later value NaN. Bars are `input.length`; `out` must be at least as long and separate from `input`.
 * Returns the number of values written that are not NaN.
 */
export function emaInto(input: Float64Array, period: number, out: Float64Array): number {
  checkArguments('emaInto', input, period, out);
  const length = input.length;
  const alpha = 2 / (period + 1);
  const keep = 1 - alpha;
  let start = 0;
  // leading NaN values: no average yet
  while (start < length && input[start] !== input[start]) out[start++] = NaN;
  let average = input[start];
  let defined = 0;
  // each bar after the seed: blend the value in, hide the warm-up
  for (let i = start; i < length; i++) {
    if (i > start) average = input[i] * alpha + average * keep;
    if (i - start >= period - 1) {
      out[i] = average;
      if (average === average) defined++;
    } else {
      out[i] = NaN;
    }
  }
  return defined;
}

/** `emaInto` into a new array of `input.length` values. */
export function ema(input: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(input.length), (out) => emaInto(input, period, out));
}
