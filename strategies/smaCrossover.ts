/**
 * sma_crossover, an example strategy plugin (docs/strategies.md): long when the fast simple moving average of the
 * close crosses above the slow one, out when it crosses back below. The exits are exit signals (`exitsInto`), so
 * `hold_period_bars` defaults to 0: a position is held until the next cross down (or a stop the request sets).
 */
import { crossAboveInto, crossBelowInto, defineStrategy, holdPeriodBars, smaInto, z, type Candles } from '../src/engine/strategyKit';

const paramsSchema = z.object({
  fast_window: z.number().int().min(1).max(10_000).default(10).describe('Bars in the fast moving average of the close.'),
  slow_window: z
    .number()
    .int()
    .min(2)
    .max(10_000)
    .default(30)
    .describe('Bars in the slow moving average of the close; longer than fast_window, or the roles of the crosses swap.'),
  hold_period_bars: holdPeriodBars(0),
});

type Params = z.output<typeof paramsSchema>;

/** Both averages over the first `candles.length` closes (columns may be longer than the candles). */
function movingAverages(candles: Candles, params: Params): { fast: Float64Array; slow: Float64Array } {
  const close = candles.close.subarray(0, candles.length);
  const fast = new Float64Array(candles.length);
  const slow = new Float64Array(candles.length);
  smaInto(close, params.fast_window, fast);
  smaInto(close, params.slow_window, slow);
  return { fast, slow };
}

export default defineStrategy({
  id: 'sma_crossover',
  description:
    'Moving-average crossover: an entry when the fast_window SMA of the close crosses above the slow_window SMA, an exit ' +
    'signal when it crosses back below (hold_period_bars 0 = hold until that exit). Meant for direction long.',
  paramsSchema,
  signalsInto(candles, params, out) {
    const { fast, slow } = movingAverages(candles, params);
    return crossAboveInto(fast, slow, out);
  },
  exitsInto(candles, params, out) {
    const { fast, slow } = movingAverages(candles, params);
    return crossBelowInto(fast, slow, out);
  },
  // a cross at bar i compares the averages at i - 1, whose slow window starts slow_window bars before i
  warmupBars: (params) => params.slow_window,
});
