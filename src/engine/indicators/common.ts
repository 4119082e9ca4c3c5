/**
 * What the indicators share: entry-point checks (periods, output lengths, outputs that would overwrite an input),
 * whose messages say what was received and what was expected, so the loops behind them trust these invariants;
 * and the helper of the allocating wrappers.
 */

/** A series an indicator reads or writes. */
type Series = Float64Array | Uint8Array;

export function checkPeriod(indicator: string, period: number): void {
  if (!Number.isInteger(period) || period < 1) {
    throw new RangeError(`${indicator}: period got ${period}, expected an integer >= 1`);
  }
}

/** `series` must hold at least `length` values (the first input's length). */
export function checkLength(indicator: string, name: string, series: Series, length: number): void {
  if (series.length < length) {
    throw new RangeError(`${indicator}: ${name} has ${series.length} values, expected at least ${length} (the length of the first input)`);
  }
}

/** An output must not share memory with an input: the loops read inputs behind the bar they write. */
export function checkNoOverlap(indicator: string, output: Series, input: Series): void {
  const outputStart = output.byteOffset;
  const inputStart = input.byteOffset;
  if (output.buffer === input.buffer && outputStart < inputStart + input.byteLength && inputStart < outputStart + output.byteLength) {
    throw new RangeError(`${indicator}: an output shares memory with an input, expected separate arrays`);
  }
}

/** The checks of an indicator with one input, one period and outputs: each output long enough and separate. */
export function checkArguments(indicator: string, input: Float64Array, period: number, ...outputs: Series[]): void {
  checkPeriod(indicator, period);
  for (const output of outputs) {
    checkLength(indicator, 'out', output, input.length);
    checkNoOverlap(indicator, output, input);
  }
}

/** `out` after `fill` has written it: the body of the allocating wrappers. */
export function filled<Output extends Series>(out: Output, fill: (out: Output) => unknown): Output {
  fill(out);
  return out;
}
