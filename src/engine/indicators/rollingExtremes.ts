import { checkArguments, filled } from './common';

/**
 * Rolling maximum and minimum: `out[i]` = the largest (smallest) of `input[i - period + 1 .. i]`, the current value
 * included (as trading-signals' `DonchianChannels` upper and lower band over one series). NaN for the first
 * `period - 1` bars and for every window that holds a NaN. Bars are `input.length`; `out` must be at least as long
 * and separate from `input`. Returns the number of values written that are not NaN.
 *
 * O(n) whatever the period: a monotonic deque of indices (a ring of `period` slots, allocated once per call) keeps
 * the window's candidates, each index entering and leaving it once.
 */
export function rollingMaxInto(input: Float64Array, period: number, out: Float64Array): number {
  checkArguments('rollingMaxInto', input, period, out);
  return rollingExtremeInto(input, period, out, 1);
}

export function rollingMinInto(input: Float64Array, period: number, out: Float64Array): number {
  checkArguments('rollingMinInto', input, period, out);
  return rollingExtremeInto(input, period, out, -1);
}

/** `rollingMaxInto` into a new array of `input.length` values. */
export function rollingMax(input: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(input.length), (out) => rollingMaxInto(input, period, out));
}

/** `rollingMinInto` into a new array of `input.length` values. */
export function rollingMin(input: Float64Array, period: number): Float64Array {
  return filled(new Float64Array(input.length), (out) => rollingMinInto(input, period, out));
}

/** The maximum of `sign * value` per window: sign 1 gives the maximum, -1 the minimum. */
function rollingExtremeInto(input: Float64Array, period: number, out: Float64Array, sign: number): number {
  const length = input.length;
  // indices whose values fall strictly (by sign) from the front (the window's extreme) to the back
  const deque = new Int32Array(period);
  let head = 0;
  let size = 0;
  let lastNaN = -1 - period;
  let defined = 0;
  // each bar: drop the index that left the window, drop the candidates the new value beats, append it, read the front
  for (let i = 0; i < length; i++) {
    if (size > 0 && deque[head] <= i - period) {
      head = head + 1 === period ? 0 : head + 1;
      size--;
    }
    const value = input[i];
    if (value === value) {
      const ranked = sign * value;
      let back = head + size - 1;
      if (back >= period) back -= period;
      while (size > 0 && sign * input[deque[back]] <= ranked) {
        size--;
        back = back === 0 ? period - 1 : back - 1;
      }
      let slot = head + size;
      if (slot >= period) slot -= period;
      deque[slot] = i;
      size++;
    } else {
      lastNaN = i;
    }
    if (i >= period - 1 && lastNaN <= i - period) {
      out[i] = input[deque[head]];
      defined++;
    } else {
      out[i] = NaN;
    }
  }
  return defined;
}
