import { checkLength, checkNoOverlap, checkPeriod, filled } from './common';

/**
 * Average true range with Wilder's smoothing (as trading-signals' `ATR` with its default `WSMA`). True range:
 * `max(high - low, |high - previous close|, |low - previous close|)`, and `high - low` on the first bar (no previous
 * close). The first ATR is the plain mean of the first `period` true ranges, at bar `period - 1`; later ones
 * `atr + (trueRange - atr) / period`. Earlier bars are NaN. Inputs are candle columns (no NaN); bars are
 * `high.length`, `low`, `close` and `out` must be at least as long, `out` separate from the inputs. Returns the
 * number of values written that are not NaN.
 */
export function atrInto(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): number {
  checkPeriod('atrInto', period);
  const length = high.length;
  checkLength('atrInto', 'low', low, length);
  checkLength('atrInto', 'close', close, length);
  checkLength('atrInto', 'out', out, length);
  for (const input of [high, low, close]) checkNoOverlap('atrInto', out, input);
  const smoothing = 1 / period;
  let average = 0;
  let defined = 0;
  // each bar: the true range, averaged (plain mean first, then Wilder's), written after the warm-up
  for (let i = 0; i < length; i++) {
    let trueRange = high[i] - low[i];
    if (i > 0) {
      const previousClose = close[i - 1];
      trueRange = Math.max(trueRange, Math.abs(high[i] - previousClose), Math.abs(low[i] - previousClose));
    }
    if (i < period) {
      average += trueRange;
      if (i < period - 1) {
        out[i] = NaN;
        continue;
      }
      average /= period;
    } else {
      average += (trueRange - average) * smoothing;
    }
    out[i] = average;
    if (average === average) defined++;
  }
  return defined;
}

/** `atrInto` into a new array of `high.length` values. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(high.length), (out) => atrInto(high, low, close, period, out));
}
