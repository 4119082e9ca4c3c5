import { z } from 'zod';
import { defineStrategy, holdPeriodBarsSchema } from '../strategy';
import type { Candles } from '../types';

/**
 * volume_long_candle (DESIGN.md section 5): a long green candle on a volume spike, with short wicks.
 * `vol_ma[i]` is the mean volume of bars [max(0, i - vol_ma_window + 1), i], kept as a running sum
 * (O(n)); the sum is rebuilt from scratch once every vol_ma_window bars so rounding cannot pile up
 * over millions of bars. As written in DESIGN.md, `volume >= vol_ma * vol_multiplier` also holds
 * for a zero-volume bar whose average is zero (0 >= 0).
 */
const paramsSchema = z.object({
  vol_ma_window: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(20)
    .describe('Bars in the volume moving average, the current bar included (fewer at the start of the data).'),
  vol_multiplier: z
    .number()
    .gt(0)
    .max(1000)
    .default(1.5)
    .describe('The bar volume must be at least vol_multiplier times the volume moving average.'),
  body_pct: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.02)
    .describe('Minimum rise (close - open) / open; each wick must stay below 2 * body_pct of the open.'),
  hold_period_bars: holdPeriodBarsSchema,
});

export type VolumeLongCandleParams = z.output<typeof paramsSchema>;

function volumeLongCandleSignalsInto(candles: Candles, params: VolumeLongCandleParams, out: Uint8Array): number {
  const barCount = candles.length;
  const { open, high, low, close, volume } = candles;
  const window = params.vol_ma_window;
  const multiplier = params.vol_multiplier;
  const bodyPct = params.body_pct;
  const wickLimit = 2 * bodyPct;
  let windowSum = 0;
  let barsUntilRebuild = window;
  let signalCount = 0;

  // each bar: slide the volume sum, then test the volume spike and the candle shape
  for (let i = 0; i < barCount; i++) {
    if (--barsUntilRebuild === 0) {
      barsUntilRebuild = window;
      windowSum = 0;
      // rebuild the window sum exactly
      for (let j = i >= window ? i - window + 1 : 0; j <= i; j++) windowSum += volume[j];
    } else {
      windowSum += volume[i];
      if (i >= window) windowSum -= volume[i - window];
    }
    const volumeAverage = windowSum / (i < window ? i + 1 : window);
    const barOpen = open[i];
    const barClose = close[i];
    let isSignal = 0;
    if (
      volume[i] >= volumeAverage * multiplier &&
      barClose > barOpen &&
      (barClose - barOpen) / barOpen >= bodyPct &&
      Math.max(high[i] - barClose, 0) / barOpen < wickLimit &&
      Math.max(barOpen - low[i], 0) / barOpen < wickLimit
    ) {
      isSignal = 1;
      signalCount++;
    }
    out[i] = isSignal;
  }
  return signalCount;
}

export const volumeLongCandle = defineStrategy({
  id: 'volume_long_candle',
  description:
    'A rising candle on a volume spike: volume >= vol_multiplier x its vol_ma_window-bar average, a body of at least ' +
    'body_pct of the open, and both wicks shorter than 2 x body_pct.',
  paramsSchema,
  signalsInto: volumeLongCandleSignalsInto,
  // the volume average of bar i is full from vol_ma_window - 1 bars before it
  warmupBars: (params) => params.vol_ma_window - 1,
});
