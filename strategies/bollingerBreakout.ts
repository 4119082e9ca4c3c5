/**
 * bollinger_breakout, an example strategy plugin (docs/strategies.md) for the short side: an entry when the close
 * breaks below the lower Bollinger band, an exit signal when it closes back above the middle band. Run it with
 * `direction: "short"`, so that the entries sell; `hold_period_bars` defaults to 0 (hold until the exit signal).
 */
import { bollingerInto, crossAboveInto, crossBelowInto, defineStrategy, holdPeriodBars, z, type Candles } from '../src/engine/strategyKit';

const paramsSchema = z.object({
  band_window: z.number().int().min(2).max(10_000).default(20).describe('Bars of the moving average and standard deviation of the close.'),
  band_width: z
    .number()
    .gt(0)
    .max(10)
    .default(2)
    .describe('The bands lie this many (population) standard deviations above and below the average.'),
  hold_period_bars: holdPeriodBars(0),
});

type Params = z.output<typeof paramsSchema>;

/** The close and its bands over the first `candles.length` bars (columns may be longer than the candles). */
function bands(candles: Candles, params: Params) {
  const close = candles.close.subarray(0, candles.length);
  const [middle, upper, lower] = [new Float64Array(close.length), new Float64Array(close.length), new Float64Array(close.length)];
  bollingerInto(close, params.band_window, params.band_width, middle, upper, lower);
  return { close, middle, lower };
}

export default defineStrategy({
  id: 'bollinger_breakout',
  description:
    'Downside breakout: an entry when the close crosses below the lower Bollinger band (band_window bars, band_width ' +
    'standard deviations), an exit signal when it crosses back above the middle band. Meant for direction short, ' +
    'e.g. with stop_loss_pct 5 as a guard against a squeeze.',
  paramsSchema,
  signalsInto(candles, params, out) {
    const { close, lower } = bands(candles, params);
    return crossBelowInto(close, lower, out);
  },
  exitsInto(candles, params, out) {
    const { close, middle } = bands(candles, params);
    return crossAboveInto(close, middle, out);
  },
  // a cross at bar i compares the bands at i - 1, whose window starts band_window bars before i
  warmupBars: (params) => params.band_window,
});
