import { checkLength, filled } from './common';

/**
 * Crossovers, as trading-signals' `hasCrossedOver` / `hasCrossedUnder`: `a` crosses above `b` at bar i when
 * `a[i-1] <= b[i-1]` and `a[i] > b[i]`; below when `a[i-1] >= b[i-1]` and `a[i] < b[i]`. Touching and staying
 * level is not a cross; bar 0 never is one, nor is a bar where either series or its previous value is NaN (an
 * indicator's warm-up). `out[i]` = 1 at a cross, else 0: the form of a strategy's signals. Bars are `a.length`;
 * `b` and `out` must be at least as long. Returns the number of crosses.
 */
export function crossAboveInto(a: Float64Array, b: Float64Array, out: Uint8Array): number {
  checkSeries('crossAboveInto', a, b, out);
  return crossInto(a, b, NaN, 1, out);
}

export function crossBelowInto(a: Float64Array, b: Float64Array, out: Uint8Array): number {
  checkSeries('crossBelowInto', a, b, out);
  return crossInto(a, b, NaN, -1, out);
}

/** `a` crosses above a fixed `level` at bar i: `a[i-1] <= level` and `a[i] > level`. */
export function crossAboveLevelInto(a: Float64Array, level: number, out: Uint8Array): number {
  checkLevel('crossAboveLevelInto', a, level, out);
  return crossInto(a, null, level, 1, out);
}

/** `a` crosses below a fixed `level` at bar i: `a[i-1] >= level` and `a[i] < level`. */
export function crossBelowLevelInto(a: Float64Array, level: number, out: Uint8Array): number {
  checkLevel('crossBelowLevelInto', a, level, out);
  return crossInto(a, null, level, -1, out);
}

/** `crossAboveInto` into a new array of `a.length` flags. */
export function crossAbove(a: Float64Array, b: Float64Array): Uint8Array {
  return filled(new Uint8Array(a.length), (out) => crossAboveInto(a, b, out));
}

/** `crossBelowInto` into a new array of `a.length` flags. */
export function crossBelow(a: Float64Array, b: Float64Array): Uint8Array {
  return filled(new Uint8Array(a.length), (out) => crossBelowInto(a, b, out));
}

/** `crossAboveLevelInto` into a new array of `a.length` flags. */
export function crossAboveLevel(a: Float64Array, level: number): Uint8Array {
  return filled(new Uint8Array(a.length), (out) => crossAboveLevelInto(a, level, out));
}

/** `crossBelowLevelInto` into a new array of `a.length` flags. */
export function crossBelowLevel(a: Float64Array, level: number): Uint8Array {
  return filled(new Uint8Array(a.length), (out) => crossBelowLevelInto(a, level, out));
}

function checkSeries(indicator: string, a: Float64Array, b: Float64Array, out: Uint8Array): void {
  checkLength(indicator, 'b', b, a.length);
  checkLength(indicator, 'out', out, a.length);
}

function checkLevel(indicator: string, a: Float64Array, level: number, out: Uint8Array): void {
  if (level !== level) throw new RangeError(`${indicator}: level got NaN, expected a number`);
  checkLength(indicator, 'out', out, a.length);
}

/**
 * Crosses of `sign * a` above `sign * b`, or above `sign * level` when `b` is null: sign 1 crosses above, -1 below
 * (negation keeps every comparison exact).
 */
function crossInto(a: Float64Array, b: Float64Array | null, level: number, sign: number, out: Uint8Array): number {
  const length = a.length;
  let crosses = 0;
  if (length > 0) out[0] = 0;
  // each bar after the first: at or below the other before, strictly above it now
  for (let i = 1; i < length; i++) {
    const previousOther = b === null ? level : b[i - 1];
    const other = b === null ? level : b[i];
    const crossed = sign * a[i - 1] <= sign * previousOther && sign * a[i] > sign * other ? 1 : 0;
    out[i] = crossed;
    crosses += crossed;
  }
  return crosses;
}
