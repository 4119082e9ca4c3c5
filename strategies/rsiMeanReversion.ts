/**
 * rsi_mean_reversion, an example strategy plugin (docs/strategies.md): buys when the RSI climbs back out of the
 * oversold zone, and leaves the exit to the execution parameters: a stop-loss and a take-profit set in the request,
 * with `hold_period_bars` as the time stop behind them.
 */
import { crossAboveLevelInto, defineStrategy, holdPeriodBars, rsiInto, z } from '../src/engine/strategyKit';

const paramsSchema = z.object({
  rsi_window: z.number().int().min(2).max(1000).default(14).describe("Bars of the RSI of the close (Wilder's smoothing)."),
  oversold: z
    .number()
    .gt(0)
    .lt(100)
    .default(30)
    .describe('An entry when the RSI rises from this level or below to above it: the selling is exhausted.'),
  hold_period_bars: holdPeriodBars(24),
});

export default defineStrategy({
  id: 'rsi_mean_reversion',
  description:
    'Mean reversion: an entry when the rsi_window RSI of the close climbs back above oversold. Exits come from the stops: ' +
    'run it with stop_loss_pct and take_profit_pct, e.g. 3 and 4 on hourly data (6 and 8 on daily); hold_period_bars ' +
    '(default 24) closes what neither reaches. Meant for direction long.',
  paramsSchema,
  signalsInto(candles, params, out) {
    const rsi = new Float64Array(candles.length);
    rsiInto(candles.close.subarray(0, candles.length), params.rsi_window, rsi);
    return crossAboveLevelInto(rsi, params.oversold, out);
  },
  // the first RSI is at bar rsi_window, and a cross compares it with the bar before
  warmupBars: (params) => params.rsi_window + 1,
});
