import { z } from 'zod';
import type { Candles } from './types';

/**
 * A strategy: a pure function from candles and parameters to entry signal bars, optionally a second one to
 * exit signal bars, plus the zod schema of its parameters (types, ranges, defaults, descriptions), which the
 * API validates against and publishes. Every strategy's parameters include `hold_period_bars`, which the
 * simulator uses. Entries open positions in the run's `direction` (long or short, an execution parameter).
 *
 * `signalsInto` and `exitsInto` receive the whole flat `params` object (the strategy's parameters and the execution
 * parameters) but must read only the strategy's own parameters other than `hold_period_bars`: a parameter sweep
 * computes the signals once for all combinations that differ only in `hold_period_bars` or execution parameters.
 */
export interface Strategy<Shape extends z.ZodRawShape = z.ZodRawShape> {
  readonly id: string;
  readonly description: string;
  readonly paramsSchema: z.ZodObject<Shape>;
  /**
   * Fills `out[i] = 1` at every signal bar and `0` elsewhere (`out.length >= candles.length`) and
   * returns the number of signals. Parameters are already validated by `paramsSchema`.
   */
  signalsInto(candles: Candles, params: z.output<z.ZodObject<Shape>>, out: Uint8Array): number;
  /**
   * Optional exit signals, in the same form as `signalsInto`: `out[i] = 1` closes a position opened before bar i
   * at the close of bar i (an entry signal on that bar may then open the next position). Returns the count.
   */
  exitsInto?(candles: Candles, params: z.output<z.ZodObject<Shape>>, out: Uint8Array): number;
  /**
   * Optional: bars before a bar that its signal reads (the longest look-back), so that a walk-forward segment
   * warmed up on that many earlier bars sees the strategy's windows full at its first bar. Absent means 0.
   */
  warmupBars?(params: z.output<z.ZodObject<Shape>>): number;
  /** Optional: work that parameter sweeps may share between signal computations (see `SharedSignals`). */
  readonly sharedSignals?: SharedSignals<z.output<z.ZodObject<Shape>>>;
}

/**
 * An optional extension of a strategy for parameter sweeps: a precomputation that every parameter set agreeing on
 * `sharedParams` can reuse, after which the signals of each such set are a cheap pass. The sweep groups the signal
 * parameter sets it needs by their values of `sharedParams`, calls `prepare` once per group, and then `signalsInto`
 * (and `exitsInto`, if given; else the strategy's own) for each set of the group.
 *
 * The contract: `signalsInto(prepare(candles, p, n), candles, q, out)` fills `out` exactly as the strategy's
 * `signalsInto(candles, q, out)` does, bit for bit and with the same count, for every q that agrees with p on
 * `sharedParams`. The sweep engine's tests check this for the built-in strategies.
 */
export interface SharedSignals<Params, Prepared = unknown> {
  /** Parameter names the preparation depends on; every other signal parameter may vary across its users. */
  readonly sharedParams: readonly string[];
  /**
   * The shared precomputation for `params` (only `sharedParams` matter), or null when sharing would not pay off for
   * `signalSetCount` parameter sets: the sweep then calls the strategy's `signalsInto` for each.
   */
  prepare(candles: Candles, params: Params, signalSetCount: number): Prepared | null;
  /** The strategy's `signalsInto`, from a preparation made on the same candles for params agreeing on `sharedParams`. */
  signalsInto(prepared: Prepared, candles: Candles, params: Params, out: Uint8Array): number;
  /** Optional: the strategy's `exitsInto`, likewise. */
  exitsInto?(prepared: Prepared, candles: Candles, params: Params, out: Uint8Array): number;
}

/**
 * The `hold_period_bars` field every strategy's schema includes, with its default (1 for strategies without exit
 * signals; a strategy with `exitsInto` usually defaults to 0, holding until an exit rule fires). The simulator reads it.
 */
export function holdPeriodBars(defaultBars: number) {
  return z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(defaultBars)
    .describe(
      'Bars a position is held: a trade entered at the close of bar i exits at the close of bar i + hold_period_bars, ' +
        'unless an exit rule fires first; 0 = hold until an exit rule (exit signal, stop, take-profit, max_hold_bars) fires.',
    );
}

/** `hold_period_bars` with the default of DESIGN.md section 5 (1 bar). */
export const holdPeriodBarsSchema = holdPeriodBars(1);

/**
 * Identity helper that checks a strategy literal against `Strategy` while keeping its exact types: the built-ins and
 * every plugin's default export are `defineStrategy({...})`. What the type system cannot check (an id's form, defaults
 * for every parameter, names that clash with the execution parameters) is checked when a plugin is loaded.
 */
export function defineStrategy<Shape extends z.ZodRawShape & { hold_period_bars: ReturnType<typeof holdPeriodBars> }>(
  strategy: Strategy<Shape>,
): Strategy<Shape> {
  return strategy;
}
