/**
 * Deterministic sample OHLCV data in the store's layout: the same seed gives byte-identical files.
 * Prices follow a geometric random walk whose volatility clusters (GARCH(1,1)-like); volume clusters with
 * volatility, and occasional strong bullish candles on a volume spike make both strategies fire
 * (a close above the recent high-volume zone, and a long body on >= 1.5x the average volume).
 */
import type { Timeframe } from '../engine/timeframes';
import type { BlobStore } from '../storage/providers';
import type { Candles } from '../engine/types';
import { allocateCandles, lowerBound, sliceCandles } from '../engine/candles';
import { encodeCandleFile } from './candleFile';
import {
  assertSymbol,
  assertTimeframe,
  DAY_MS,
  listSeries,
  parseDate,
  timeframeFolderName,
  yearFilePath,
  yearOf,
  yearStart,
} from './layout';

export const DEFAULT_SAMPLE_SYMBOLS = ['BTC_KRW', 'ETH_KRW', 'XRP_KRW', 'SOL_KRW', 'DOGE_KRW'];
export const DEFAULT_SAMPLE_SEED = 1;

/** Rough market character per symbol: starting price (KRW), daily volatility, daily turnover (KRW). */
interface MarketProfile {
  price: number;
  dailyVolatility: number;
  dailyTurnover: number;
}

const marketProfiles: Record<string, MarketProfile> = {
  BTC_KRW: { price: 50_000_000, dailyVolatility: 0.035, dailyTurnover: 150e9 },
  ETH_KRW: { price: 3_000_000, dailyVolatility: 0.045, dailyTurnover: 60e9 },
  XRP_KRW: { price: 700, dailyVolatility: 0.055, dailyTurnover: 70e9 },
  SOL_KRW: { price: 150_000, dailyVolatility: 0.06, dailyTurnover: 20e9 },
  DOGE_KRW: { price: 150, dailyVolatility: 0.065, dailyTurnover: 30e9 },
};
const otherMarket: MarketProfile = { price: 10_000, dailyVolatility: 0.05, dailyTurnover: 10e9 };

const barMilliseconds: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': DAY_MS,
};

/**
 * Model constants: volatility memory (GARCH alpha, beta), volume memory, a slow pull of the log price
 * back to the symbol's level (keeps prices realistic for years), and the breakout events.
 */
const GARCH_ALPHA = 0.15;
const GARCH_BETA = 0.83;
const VOLUME_PERSISTENCE = 0.9;
const VOLUME_NOISE = 0.25;
const DAILY_MEAN_REVERSION = 0.003;
const BREAKOUTS_PER_DAY = 0.05;
const BREAKOUT_MIN_RETURN = 0.025;
const BREAKOUT_RETURN_SPREAD = 0.03;

export interface SampleSeriesRequest {
  symbol: string;
  timeframe: Timeframe;
  startDate: string;
  endDate: string;
  seed: number;
}

/** One symbol's candles from `startDate` 00:00 UTC to the end of `endDate`, one per bar. */
export function generateSampleCandles({ symbol, timeframe, startDate, endDate, seed }: SampleSeriesRequest): Candles {
  const profile = marketProfiles[symbol] ?? otherMarket;
  const barMs = barMilliseconds[timeframe];
  const from = parseDate('startDate', startDate);
  const length = Math.max(0, Math.floor((parseDate('endDate', endDate) + DAY_MS - from) / barMs));
  const random = mulberry32(hashString(`${seed}:${symbol}:${timeframe}`));
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const barsPerDay = DAY_MS / barMs;
  const barVolatility = profile.dailyVolatility / Math.sqrt(barsPerDay);
  const tickExponent = Math.floor(Math.log10(profile.price)) - 4;
  const candles = allocateCandles(length);

  const logLevel = Math.log(profile.price);
  const reversion = DAILY_MEAN_REVERSION / barsPerDay;
  const breakoutProbability = BREAKOUTS_PER_DAY / barsPerDay;
  // Ordinary bars give back what breakouts add on average, so breakouts do not lift the level.
  const breakoutCompensation = (breakoutProbability * (BREAKOUT_MIN_RETURN + BREAKOUT_RETURN_SPREAD / 2)) / (1 - breakoutProbability);
  let close = quantize(profile.price, tickExponent, Math.round);
  let variance = 1; // in units of the long-run variance
  let shock = 0;
  let logVolume = 0;
  // One bar per iteration: volatility from the previous shock, then the bar's move, wicks and volume.
  for (let bar = 0; bar < length; bar++) {
    variance = 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * shock * shock + GARCH_BETA * variance;
    const sigma = barVolatility * Math.sqrt(variance);
    const breakout = random() < breakoutProbability;
    shock = breakout ? 0 : normal();
    const logReturn = breakout
      ? BREAKOUT_MIN_RETURN + BREAKOUT_RETURN_SPREAD * random()
      : reversion * (logLevel - Math.log(close)) - breakoutCompensation + sigma * shock;
    const wickScale = (breakout ? 0.1 : 0.5) * sigma;

    const open = close;
    close = quantize(open * Math.exp(logReturn), tickExponent, Math.round);
    const high = quantize(Math.max(open, close) * (1 + Math.abs(normal()) * wickScale), tickExponent, Math.ceil);
    const low = quantize(Math.min(open, close) * Math.max(0.5, 1 - Math.abs(normal()) * wickScale), tickExponent, Math.floor);
    logVolume = VOLUME_PERSISTENCE * logVolume + VOLUME_NOISE * normal();
    const spike = breakout ? 2.5 + 2.5 * random() : 1;
    const volume = (profile.dailyTurnover / barsPerDay / open) * Math.exp(logVolume) * Math.sqrt(variance) * spike;

    candles.timestamp[bar] = from + bar * barMs;
    candles.open[bar] = open;
    candles.high[bar] = high;
    candles.low[bar] = Math.max(low, 10 ** tickExponent);
    candles.close[bar] = close;
    candles.volume[bar] = Math.round(volume * 1e4) / 1e4;
  }
  return candles;
}

/** Rounds to a multiple of 10^exponent; dividing by an integer scale keeps 700.12 exactly 700.12. */
function quantize(value: number, exponent: number, round: (x: number) => number): number {
  return exponent >= 0 ? round(value / 10 ** exponent) * 10 ** exponent : round(value * 10 ** -exponent) / 10 ** -exponent;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a different, stable random stream per seed, symbol and timeframe. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

export interface SampleDataOptions {
  store: BlobStore;
  symbols?: string[];
  timeframes?: Timeframe[];
  startDate?: string;
  endDate?: string;
  seed?: number;
  /** Rewrite year files that exist; by default only missing ones are written. */
  force?: boolean;
}

export interface SampleDataReport {
  /** Files written, relative to the data root, with their candle counts. */
  written: { path: string; candles: number }[];
  /** Files left as they were because they existed. */
  skipped: string[];
}

/** Writes `{SYMBOL}/{TF}/{year}.parquet` into the store for every symbol, timeframe and year of the range. */
export async function writeSampleData({
  store,
  symbols = DEFAULT_SAMPLE_SYMBOLS,
  timeframes = ['1d', '1h'],
  startDate = '2021-01-01',
  endDate = '2024-12-31',
  seed = DEFAULT_SAMPLE_SEED,
  force = false,
}: SampleDataOptions): Promise<SampleDataReport> {
  const report: SampleDataReport = { written: [], skipped: [] };
  const years = yearsBetween(yearOf(parseDate('startDate', startDate)), yearOf(parseDate('endDate', endDate)));
  for (const symbol of symbols) {
    assertSymbol(symbol);
    for (const timeframe of timeframes) {
      assertTimeframe(timeframe);
      const existing = (await listSeries(store, symbol)).find((series) => series.timeframe === timeframe);
      const folder = existing?.folder ?? `${symbol}/${timeframeFolderName(timeframe)}`;
      const missing = force ? years : years.filter((year) => !existing?.years.includes(year));
      report.skipped.push(...years.filter((year) => !missing.includes(year)).map((year) => yearFilePath(folder, year)));
      if (missing.length === 0) continue;
      // The whole series is generated even for one missing year, so every year continues the same walk.
      const candles = generateSampleCandles({ symbol, timeframe, startDate, endDate, seed });
      for (const year of missing) {
        const first = lowerBound(candles.timestamp, candles.length, yearStart(year));
        const end = lowerBound(candles.timestamp, candles.length, yearStart(year + 1));
        const path = yearFilePath(folder, year);
        await store.put(path, encodeCandleFile(sliceCandles(candles, first, end), symbol, timeframe));
        report.written.push({ path, candles: end - first });
      }
    }
  }
  return report;
}

function yearsBetween(firstYear: number, lastYear: number): number[] {
  return Array.from({ length: Math.max(0, lastYear - firstYear + 1) }, (_, index) => firstYear + index);
}
