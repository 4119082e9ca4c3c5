import { z } from 'zod';
import { defineStrategy, holdPeriodBarsSchema, type SharedSignals } from '../strategy';
import type { Candles } from '../types';

/**
 * volume_long_candle (DESIGN.md section 5): a long green candle on a volume spike, with short wicks.
 * `vol_ma[i]` is the mean volume of bars [max(0, i - vol_ma_window + 1), i], kept as a running sum
 * (O(n)); the sum is rebuilt from scratch once every vol_ma_window bars so rounding cannot pile up
 * over millions of bars. The averages are one pass, the signals another (`volumeAveragesInto`,
 * `signalsFromAveragesInto`), so a sweep computes one average for every vol_multiplier and body_pct. As written in DESIGN.md, `volume >= vol_ma * vol_multiplier` also holds
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

/**
 * `out[i - from]` = vol_ma[i] for bars [from, to): the mean volume of bars [max(0, i - window + 1), i], from a running
 * sum rebuilt from scratch every `window` bars (at i = window - 1, 2 * window - 1, ...): the one definition of vol_ma
 * that every path reads. Consecutive ranges continue one another: `runningSum[0]` carries the sum from the end of
 * one range to the start of the next (it is not read for a range starting at bar 0).
 */
export function volumeAveragesInto(
  volume: Float64Array,
  from: number,
  to: number,
  window: number,
  runningSum: Float64Array,
  out: Float64Array,
): void {
  let windowSum = from === 0 ? 0 : runningSum[0];
  // the rebuild schedule depends on the bar index alone
  let barsUntilRebuild = window - (from % window);
  // each bar: slide the volume sum (or rebuild it), then average over the bars it holds
  for (let i = from; i < to; i++) {
    if (--barsUntilRebuild === 0) {
      barsUntilRebuild = window;
      windowSum = 0;
      // rebuild the window sum exactly
      for (let j = i >= window ? i - window + 1 : 0; j <= i; j++) windowSum += volume[j];
    } else {
      windowSum += volume[i];
      if (i >= window) windowSum -= volume[i - window];
    }
    out[i - from] = windowSum / (i < window ? i + 1 : window);
  }
  runningSum[0] = windowSum;
}

/**
 * The signals of one (vol_multiplier, body_pct) on bars [from, to), from their volume averages (`volumeAverages[i - from]`,
 * see `volumeAveragesInto`); returns their number.
 */
export function signalsFromAveragesInto(
  volumeAverages: Float64Array,
  candles: Candles,
  from: number,
  to: number,
  multiplier: number,
  bodyPct: number,
  out: Uint8Array,
): number {
  const { open, high, low, close, volume } = candles;
  const wickLimit = 2 * bodyPct;
  let signalCount = 0;
  // each bar: the volume spike, then the candle shape
  for (let i = from; i < to; i++) {
    const barOpen = open[i];
    const barClose = close[i];
    let isSignal = 0;
    if (
      volume[i] >= volumeAverages[i - from] * multiplier &&
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

/** Bars whose averages `signalsInto` keeps at once: a small scratch, whatever the length of the series. */
const CHUNK_BARS = 4096;

function volumeLongCandleSignalsInto(candles: Candles, params: VolumeLongCandleParams, out: Uint8Array): number {
  const barCount = candles.length;
  const volumeAverages = new Float64Array(Math.min(barCount, CHUNK_BARS));
  const runningSum = new Float64Array(1);
  let signalCount = 0;
  // chunk by chunk: the averages, then the signals
  for (let from = 0; from < barCount; from += CHUNK_BARS) {
    const to = Math.min(from + CHUNK_BARS, barCount);
    volumeAveragesInto(candles.volume, from, to, params.vol_ma_window, runningSum, volumeAverages);
    signalCount += signalsFromAveragesInto(volumeAverages, candles, from, to, params.vol_multiplier, params.body_pct, out);
  }
  return signalCount;
}

/** Sweeps share one volume average between combinations that differ only in vol_multiplier and body_pct. */
const averageSharing: SharedSignals<VolumeLongCandleParams, Float64Array> = {
  sharedParams: ['vol_ma_window'],
  // one average is never dearer than the one inside signalsInto: share it from the first parameter set on
  prepare(candles, params) {
    const volumeAverages = new Float64Array(candles.length);
    volumeAveragesInto(candles.volume, 0, candles.length, params.vol_ma_window, new Float64Array(1), volumeAverages);
    return volumeAverages;
  },
  signalsInto: (volumeAverages, candles, params, out) =>
    signalsFromAveragesInto(volumeAverages, candles, 0, candles.length, params.vol_multiplier, params.body_pct, out),
};

export const volumeLongCandle = defineStrategy({
  id: 'volume_long_candle',
  description:
    'A rising candle on a volume spike: volume >= vol_multiplier x its vol_ma_window-bar average, a body of at least ' +
    'body_pct of the open, and both wicks shorter than 2 x body_pct.',
  paramsSchema,
  signalsInto: volumeLongCandleSignalsInto,
  // the average is full from bar vol_ma_window - 1 on
  warmupBars: (params) => params.vol_ma_window - 1,
  sharedSignals: averageSharing,
});
