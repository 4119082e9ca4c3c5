import { checkArguments, filled } from './common';

/**
 * Relative strength index with Wilder's smoothing (as trading-signals' `RSI` with its default `WSMA`): per bar the
 * change from the previous value splits into a gain or a loss; the first average gain and loss are the plain means
 * of the first `period` changes, later ones `average + (value - average) / period`. `RSI = 100 - 100 / (1 + gain /
 * loss)`, and 100 when the average loss is 0 (a flat series too). The first value is at bar `period` (it needs
 * `period` changes); earlier bars are NaN. Leading NaN values (an upstream warm-up) are skipped; a NaN after them
 * makes every later value NaN. Bars are `input.length`; `out` must be at least as long and separate from `input`.
 * Returns the number of values written that are not NaN.
 */
export function rsiInto(input: Float64Array, period: number, out: Float64Array): number {
  checkArguments('rsiInto', input, period, out);
  const length = input.length;
  const smoothing = 1 / period;
  let start = 0;
  // leading NaN values: no change to measure yet
  while (start < length && input[start] !== input[start]) out[start++] = NaN;
  if (start < length) out[start] = NaN;
  let averageGain = 0;
  let averageLoss = 0;
  let defined = 0;
  // each later bar: split the change, average it (plain means first, then Wilder's), write the index after the warm-up
  for (let i = start + 1; i < length; i++) {
    const change = input[i] - input[i - 1];
    const gain = change > 0 ? change : 0;
    const loss = change > 0 ? 0 : -change;
    const changes = i - start;
    if (changes <= period) {
      averageGain += gain;
      averageLoss += loss;
      if (changes < period) {
        out[i] = NaN;
        continue;
      }
      averageGain /= period;
      averageLoss /= period;
    } else {
      averageGain += (gain - averageGain) * smoothing;
      averageLoss += (loss - averageLoss) * smoothing;
    }
    const value = averageLoss === 0 ? 100 : 100 - 100 / (averageGain / averageLoss + 1);
    out[i] = value;
    if (value === value) defined++;
  }
  return defined;
}

/** `rsiInto` into a new array of `input.length` values. */
export function rsi(input: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(input.length), (out) => rsiInto(input, period, out));
}
