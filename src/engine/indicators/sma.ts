import { checkArguments, filled } from './common';

/**
 * Simple moving average: `out[i]` = mean of `input[i - period + 1 .. i]` (the current value included); NaN for the
 * first `period - 1` bars and for every window that holds a NaN (an upstream indicator's warm-up only delays the
 * average). Bars are `input.length`; `out` must be at least as long and separate from `input`. Returns the number
 * of values written that are not NaN.
 *
 * The window sum slides in O(1) per bar and is rebuilt exactly once every `period` bars, so rounding cannot pile
 * up over millions of bars; values match the plain mean of each window to ~1e-15 relative.
 */
export function smaInto(input: Float64Array, period: number, out: Float64Array): number {
  checkArguments('smaInto', input, period, out);
  const length = input.length;
  let windowSum = 0;
  let nanCount = 0;
  let barsUntilRebuild = period;
  let defined = 0;
  // each bar: slide the sum (NaN values counted apart), rebuild it now and then, write the mean of a full clean window
  for (let i = 0; i < length; i++) {
    const entering = input[i];
    if (entering === entering) windowSum += entering;
    else nanCount++;
    if (i >= period) {
      const leaving = input[i - period];
      if (leaving === leaving) windowSum -= leaving;
      else nanCount--;
    }
    if (--barsUntilRebuild === 0) {
      barsUntilRebuild = period;
      windowSum = 0;
      // the exact sum of the window's values, oldest first
      for (let j = i >= period ? i - period + 1 : 0; j <= i; j++) if (input[j] === input[j]) windowSum += input[j];
    }
    if (i >= period - 1 && nanCount === 0) {
      out[i] = windowSum / period;
      defined++;
    } else {
      out[i] = NaN;
    }
  }
  return defined;
}

/** `smaInto` into a new array of `input.length` values. */
export function sma(input: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(input.length), (out) => smaInto(input, period, out));
}
