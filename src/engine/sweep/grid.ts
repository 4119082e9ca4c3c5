/**
 * Parameter grids of a sweep (DESIGN.md section 12) and their combination ids.
 *
 * A grid maps each swept parameter to its values, already expanded (`{ from, to, step }` is the caller's) and
 * validated. Canonical order, a contract: parameters sorted by name in UTF-16 code unit order (JavaScript's default
 * `sort()`), values in the order given, the last parameter varying fastest; `combo_id` is the 0-based index in that
 * order. A grid of parameters p1 < p2 with n1 and n2 values puts (p1[i], p2[j]) at combo_id i * n2 + j.
 */

/** A swept parameter's value: numbers and booleans (strings and null for `direction` and the optional exit rules). */
export type ParamValue = number | boolean | string | null;

export type Grid = Readonly<Record<string, readonly ParamValue[]>>;

/** A grid in canonical order. */
export interface GridLayout {
  /** The swept parameters, sorted by name. */
  readonly names: readonly string[];
  /** `values[p]`: the values of `names[p]`, in the order given. */
  readonly values: readonly (readonly ParamValue[])[];
  /**
   * Combinations: the product of the value counts (1 for an empty grid: the fixed parameters alone). Exact up to
   * Number.MAX_SAFE_INTEGER (2^53 - 1); a larger grid gets the nearest double, past every cap by far.
   */
  readonly size: number;
}

export function gridLayout(grid: Grid): GridLayout {
  const names = Object.keys(grid).sort();
  const values = names.map((name) => grid[name]);
  let size = 1;
  // the product of the value counts; partial products never exceed the whole, so it is exact while that is
  for (const [index, name] of names.entries()) {
    if (!Array.isArray(values[index]) || values[index].length === 0) {
      throw new RangeError(`grid.${name}: got ${JSON.stringify(values[index])}, expected a non-empty list of values`);
    }
    size *= values[index].length;
  }
  return { names, values, size };
}

/** Combinations of a grid (see `GridLayout.size`). */
export function gridSize(grid: Grid): number {
  return gridLayout(grid).size;
}

/** Throws unless `comboId` is a combination of the grid: an integer in [0, size). */
export function checkComboId(layout: GridLayout, comboId: number): void {
  if (!Number.isSafeInteger(comboId) || comboId < 0 || comboId >= layout.size) {
    throw new RangeError(`combo id: got ${comboId}, expected an integer in [0, ${layout.size})`);
  }
}

/** `out[p]` = the index into `layout.values[p]` of combination `comboId` (mixed radix, last parameter fastest). */
export function comboValueIndicesInto(layout: GridLayout, comboId: number, out: Int32Array): void {
  checkComboId(layout, comboId);
  const { values } = layout;
  let rest = comboId;
  // peel the digits off from the fastest parameter; % and the exact division keep every step an integer
  for (let p = values.length - 1; p >= 0; p--) {
    const count = values[p].length;
    const digit = rest % count;
    out[p] = digit;
    rest = (rest - digit) / count;
  }
}

/**
 * Sets the swept parameters of combination `comboId` on `target`, leaving its other properties alone: a caller
 * keeps one object of the fixed parameters and moves it from combination to combination without allocating.
 */
export function comboParamsInto(layout: GridLayout, comboId: number, target: Record<string, unknown>): void {
  checkComboId(layout, comboId);
  const { names, values } = layout;
  let rest = comboId;
  // as comboValueIndicesInto, writing the values instead of their indices
  for (let p = values.length - 1; p >= 0; p--) {
    const count = values[p].length;
    const digit = rest % count;
    target[names[p]] = values[p][digit];
    rest = (rest - digit) / count;
  }
}

/** The swept parameters of combination `comboId`, by name in canonical order. */
export function comboParams(layout: GridLayout, comboId: number): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const name of layout.names) params[name] = null;
  comboParamsInto(layout, comboId, params);
  return params;
}

/** The combo ids [first, end) in order: a chunk of a full grid search. */
export function comboIdRange(first: number, end: number): Float64Array {
  const ids = new Float64Array(Math.max(0, end - first));
  for (let k = 0; k < ids.length; k++) ids[k] = first + k;
  return ids;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state; each call advances it and returns the next output, an
 * unsigned 32-bit integer. The state starts at ToUint32(seed) (the seed modulo 2^32).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return (mixed ^ (mixed >>> 14)) >>> 0;
  };
}

/**
 * `count` distinct combo ids of a grid of `size` combinations, drawn from `seed`, sorted ascending. A contract: the
 * same (size, count, seed) gives the same ids forever, on every platform (it uses only integer operations and
 * correctly rounded IEEE arithmetic, no transcendental functions):
 * - the generator is `mulberry32(seed)` (the seed is taken modulo 2^32);
 * - an integer below m is drawn from two outputs a, then b: u = (a >>> 11) * 2^32 + b (53 bits),
 *   `min(m - 1, floor((u / 2^53) * m))`;
 * - Robert Floyd's sampling (Bentley, "Programming Pearls", 1987): for j = size - count .. size - 1, draw t below
 *   j + 1; take t, or j if t is taken already. Every subset of `count` ids is equally likely (up to the draw's 2^-53).
 */
export function sampleComboIds(size: number, count: number, seed: number): Float64Array {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`grid size: got ${size}, expected a whole number`);
  if (!Number.isSafeInteger(count) || count < 0 || count > size) {
    throw new RangeError(`samples: got ${count}, expected a whole number of at most the grid's ${size} combinations`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: got ${seed}, expected an integer`);
  const next = mulberry32(seed);
  const chosen = new Set<number>();
  // Floyd: one draw per id, no rejection loop, whatever count / size
  for (let j = size - count; j < size; j++) {
    const high = next() >>> 11;
    const low = next();
    const drawn = Math.min(j, Math.floor(((high * 2 ** 32 + low) / 2 ** 53) * (j + 1)));
    chosen.add(chosen.has(drawn) ? j : drawn);
  }
  return Float64Array.from(chosen).sort();
}
