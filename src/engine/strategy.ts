import { z } from 'zod';
import type { Candles } from './types';

/**
 * A strategy: a pure function from candles and parameters to entry signal bars, optionally a second one to
 * exit signal bars, plus the zod schema of its parameters (types, ranges, defaults, descriptions), which the
 * API validates against and publishes. Every strategy's parameters include `hold_period_bars`, which the
 * simulator uses. Entries open positions in the run's `direction` (long or short, an execution parameter).
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
   * Optional: how many bars before a bar the strategy reads to decide it (its longest window), so that a run on a
   * segment of the data (a walk-forward fold) can be given that many bars before the segment as warm-up.
   */
  warmupBars?(params: z.output<z.ZodObject<Shape>>): number;
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
