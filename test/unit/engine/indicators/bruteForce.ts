/**
 * The indicators computed the slow, obvious way, window by window from their definitions (plain arrays, NaN where
 * undefined): the brute-force side of the indicator tests. Nothing here is shared with src/engine/indicators.
 */

/** The windows `values[i - period + 1 .. i]`, or null where the window is incomplete or holds a NaN. */
function windows(values: number[], period: number): (number[] | null)[] {
  return values.map((_, i) => {
    if (i < period - 1) return null;
    const window = values.slice(i - period + 1, i + 1);
    return window.some(Number.isNaN) ? null : window;
  });
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export function bruteSma(values: number[], period: number): number[] {
  return windows(values, period).map((window) => (window === null ? NaN : mean(window)));
}

export function bruteRollingMax(values: number[], period: number): number[] {
  return windows(values, period).map((window) => (window === null ? NaN : Math.max(...window)));
}

export function bruteRollingMin(values: number[], period: number): number[] {
  return windows(values, period).map((window) => (window === null ? NaN : Math.min(...window)));
}

/** [middle, upper, lower] per bar, with the population standard deviation. */
export function bruteBollinger(values: number[], period: number, multiplier: number): [number, number, number][] {
  return windows(values, period).map((window) => {
    if (window === null) return [NaN, NaN, NaN];
    const middle = mean(window);
    const deviation = Math.sqrt(mean(window.map((value) => (value - middle) ** 2)));
    return [middle, middle + multiplier * deviation, middle - multiplier * deviation];
  });
}

/** The EMA seeded with the first non-NaN value, hidden for the first period - 1 values from there. */
export function bruteEma(values: number[], period: number): number[] {
  const alpha = 2 / (period + 1);
  const start = values.findIndex((value) => !Number.isNaN(value));
  let average = NaN;
  return values.map((value, i) => {
    if (start < 0 || i < start) return NaN;
    average = i === start ? value : alpha * value + (1 - alpha) * average;
    return i - start >= period - 1 ? average : NaN;
  });
}

export function bruteCross(a: number[], b: number[], direction: 'above' | 'below'): number[] {
  return a.map((value, i) => {
    if (i === 0) return 0;
    const crossed = direction === 'above' ? a[i - 1] <= b[i - 1] && value > b[i] : a[i - 1] >= b[i - 1] && value < b[i];
    return crossed ? 1 : 0;
  });
}
