/**
 * The layout `{SYMBOL}/{TF}/{year}.parquet` in the store (DESIGN.md section 4): name guards that run
 * before anything touches the store, folder discovery, and the UTC date arithmetic of year files.
 */
import { timeframes, type Timeframe } from '../engine/timeframes';
import type { BlobStore } from '../storage/providers';
import { MarketDataError } from './marketDataError';

const SYMBOL_PATTERN = /^[A-Z0-9]+_[A-Z0-9]+$/;
const YEAR_FILE_PATTERN = /^(\d{4})\.parquet$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export const DAY_MS = 86_400_000;

/** Rejects anything but `BASE_QUOTE` in upper-case letters and digits, so `..` or `/` never reach a path. */
export function assertSymbol(symbol: string): void {
  if (!SYMBOL_PATTERN.test(symbol)) {
    throw new MarketDataError(
      'invalid_symbol',
      `invalid symbol ${JSON.stringify(symbol)}: expected BASE_QUOTE in upper-case letters and digits, e.g. BTC_KRW`,
    );
  }
}

export function assertTimeframe(timeframe: string): asserts timeframe is Timeframe {
  if (!(timeframes as readonly string[]).includes(timeframe)) {
    throw new MarketDataError(
      'invalid_timeframe',
      `invalid timeframe ${JSON.stringify(timeframe)}: expected one of ${timeframes.join(', ')}`,
    );
  }
}

/** `YYYY-MM-DD` -> epoch ms of 00:00 UTC that day; rejects impossible dates such as 2023-02-30. */
export function parseDate(field: string, value: string): number {
  const match = DATE_PATTERN.exec(value);
  const epochMs = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || formatDate(epochMs) !== value) {
    throw new MarketDataError('invalid_date', `invalid ${field} ${JSON.stringify(value)}: expected a YYYY-MM-DD date`);
  }
  return epochMs;
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** ISO 8601 for messages; never throws, even for a value that is no valid time. */
export function formatTimestamp(epochMs: number): string {
  return Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : String(epochMs);
}

export function yearOf(epochMs: number): number {
  return new Date(epochMs).getUTCFullYear();
}

export function yearStart(year: number): number {
  return Date.UTC(year, 0, 1);
}

/** Folder name used when creating a timeframe folder; existing folders are found in any case. */
export function timeframeFolderName(timeframe: Timeframe): string {
  return timeframe.toUpperCase();
}

/** A year file's path relative to the data root, with `/` on every platform (it goes into manifests). */
export function yearFilePath(seriesFolder: string, year: number): string {
  return `${seriesFolder}/${year}.parquet`;
}

/** One symbol's timeframe on disk: its folder relative to the data root, spelled as found, and its years. */
export interface SeriesLocation {
  symbol: string;
  timeframe: Timeframe;
  folder: string;
  years: number[];
}

/** Symbols with a folder at the store's root, sorted; other folders (e.g. `tasks`) are ignored. */
export async function listSymbols(store: BlobStore): Promise<string[]> {
  return (await store.list('')).filter((name) => SYMBOL_PATTERN.test(name)).sort();
}

/** Timeframe folders of a symbol (all, or only the `wanted` ones), each found case-insensitively, in the order of `timeframes`. */
export async function listSeries(store: BlobStore, symbol: string, wanted: readonly Timeframe[] = timeframes): Promise<SeriesLocation[]> {
  const folders = await store.list(symbol);
  const series: SeriesLocation[] = [];
  for (const timeframe of timeframes.filter((candidate) => wanted.includes(candidate))) {
    const matches = folders.filter((name) => name.toLowerCase() === timeframe);
    if (matches.length === 0) continue;
    if (matches.length > 1) {
      throw new MarketDataError('invalid_data', `folders ${matches.join(' and ')} both hold ${timeframe} data; keep one`, {
        file: symbol,
      });
    }
    const folder = `${symbol}/${matches[0]}`;
    series.push({ symbol, timeframe, folder, years: await listYears(store, folder) });
  }
  return series;
}

/** Years that have a `{year}.parquet` file in a timeframe folder, ascending. */
async function listYears(store: BlobStore, folder: string): Promise<number[]> {
  const years: number[] = [];
  for (const name of await store.list(folder)) {
    const match = YEAR_FILE_PATTERN.exec(name);
    if (match) years.push(Number(match[1]));
  }
  return years.sort((a, b) => a - b);
}
