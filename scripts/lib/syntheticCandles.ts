/** Seeded synthetic candles for the engine benchmarks: they depend on nothing but the engine's types and PRNG. */
import { mulberry32 } from '../../src/engine/sweep/grid';
import type { Candles } from '../../src/engine/types';

/**
 * A random walk with clustered volatility (GARCH-like) and volume that clusters and rises with the
 * size of the move, so both strategies fire at realistic rates.
 */
export function syntheticCandles(barCount: number, seed: number, barMs: number): Candles {
  const next = mulberry32(seed);
  const random = () => next() / 2 ** 32;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const candles: Candles = {
    length: barCount,
    timestamp: new Float64Array(barCount),
    open: new Float64Array(barCount),
    high: new Float64Array(barCount),
    low: new Float64Array(barCount),
    close: new Float64Array(barCount),
    volume: new Float64Array(barCount),
  };
  let price = 50_000;
  let variance = 0.02 * 0.02;
  let logVolumeLevel = Math.log(1_000);
  for (let i = 0; i < barCount; i++) {
    const barReturn = Math.sqrt(variance) * gaussian() + 0.0002;
    variance = 0.000004 + 0.1 * barReturn * barReturn + 0.88 * variance;
    const open = price;
    const close = open * Math.exp(barReturn);
    const wickScale = Math.sqrt(variance) * 0.6;
    logVolumeLevel = 0.95 * logVolumeLevel + 0.05 * Math.log(1_000) + 0.25 * gaussian();
    candles.timestamp[i] = 1_577_836_800_000 + i * barMs;
    candles.open[i] = open;
    candles.close[i] = close;
    candles.high[i] = Math.max(open, close) * Math.exp(Math.abs(gaussian()) * wickScale);
    candles.low[i] = Math.min(open, close) * Math.exp(-Math.abs(gaussian()) * wickScale);
    candles.volume[i] = Math.exp(logVolumeLevel + 25 * Math.abs(barReturn));
    price = close;
  }
  return candles;
}
