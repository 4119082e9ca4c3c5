/**
 * The market-data store (DESIGN.md section 4): candles of one symbol and timeframe over a date range,
 * and the list of what is available. Every failure is a `MarketDataError` naming the file and row.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Timeframe } from '../engine/timeframes';
import type { Candles } from '../engine/types';
import { readParquetRowGroupSizes } from '../storage/parquet';
import { concatCandles, lowerBound, sliceCandles } from './candleColumns';
import { corruptFileError, decodeParquet, readCandleFile, tableToCandles, type CandleFileCache } from './candleFile';
import { FileCache } from './fileCache';
import {
  assertSymbol,
  assertTimeframe,
  DAY_MS,
  formatDate,
  listSeries,
  listSymbols,
  parseDate,
  yearFilePath,
  yearOf,
  type SeriesLocation,
} from './layout';
import { MarketDataError } from './marketDataError';

export interface LoadCandlesRequest {
  dataRoot: string;
  /** `BASE_QUOTE`, e.g. `BTC_KRW`. */
  symbol: string;
  /** One of `1m 5m 15m 1h 4h 1d`. */
  timeframe: string;
  /** First day, `YYYY-MM-DD` (from 00:00 UTC). */
  startDate: string;
  /** Last day, `YYYY-MM-DD`, inclusive (up to the next day's 00:00 UTC). */
  endDate: string;
  /** Decoded year files to reuse; without one every file is read and decoded. */
  cache?: CandleFileCache;
}

/** A data file a result was computed from, so the result can be audited and reproduced. */
export interface DataFileReference {
  /** Relative to the data root, e.g. `BTC_KRW/1D/2023.parquet`. */
  path: string;
  size_bytes: number;
  md5: string;
}

export interface LoadedCandles {
  /** Read-only: may share memory with the cache. */
  candles: Candles;
  /** Every file read, in time order. */
  files: DataFileReference[];
}

/**
 * Candles with `startDate 00:00 UTC <= timestamp < endDate + 1 day`, read from the year files the range
 * touches; every row of those files is validated. A range only partly covered gives the candles that exist.
 */
export async function loadCandles({ dataRoot, symbol, timeframe, startDate, endDate, cache }: LoadCandlesRequest): Promise<LoadedCandles> {
  assertSymbol(symbol);
  assertTimeframe(timeframe);
  const from = parseDate('start_date', startDate);
  const until = parseDate('end_date', endDate) + DAY_MS;
  if (until <= from) throw new MarketDataError('empty_range', `end_date ${endDate} is before start_date ${startDate}`);

  const series = await findSeriesWithData(dataRoot, symbol, timeframe);
  const parts: Candles[] = [];
  const files: DataFileReference[] = [];
  const years = series.years.filter((year) => year >= yearOf(from) && year <= yearOf(until - 1));
  // Reads overlap in the I/O pool; of several bad files, the earliest year is reported, whichever failed first.
  const reads = await Promise.allSettled(years.map((year) => readCandleFile(dataRoot, yearFilePath(series.folder, year), year, cache)));
  const yearFiles = reads.map((read) => {
    if (read.status === 'rejected') throw read.reason;
    return read.value;
  });
  for (const { candles, path, size_bytes, md5 } of yearFiles) {
    files.push({ path, size_bytes, md5 });
    const first = lowerBound(candles.timestamp, candles.length, from);
    const end = lowerBound(candles.timestamp, candles.length, until);
    if (end > first) parts.push(sliceCandles(candles, first, end));
  }
  if (parts.length === 0) {
    const coverage = await summarizeSeries(dataRoot, series);
    const covers = coverage ? `data covers ${coverage.start_date} .. ${coverage.end_date}` : 'its files hold no candle';
    throw new MarketDataError('empty_range', `${symbol} ${timeframe} has no candle between ${startDate} and ${endDate}; ${covers}`);
  }
  return { candles: concatCandles(parts), files };
}

const MAX_SYMBOLS_NAMED = 10;

/** The series, or a `no_data` error saying which symbols or timeframes do exist. */
async function findSeriesWithData(dataRoot: string, symbol: string, timeframe: Timeframe): Promise<SeriesLocation> {
  const [found] = await listSeries(dataRoot, symbol, [timeframe]);
  if (found?.years.length) return found;
  const series = await listSeries(dataRoot, symbol);
  const withData = series.filter((candidate) => candidate.years.length > 0).map((candidate) => candidate.timeframe);
  if (withData.length > 0) {
    throw new MarketDataError('no_data', `${symbol} has no ${timeframe} data; timeframes with data: ${withData.join(', ')}`);
  }
  const symbols = await listSymbols(dataRoot);
  // Name a few, never the server's paths: this message reaches API users.
  const shown = symbols.slice(0, MAX_SYMBOLS_NAMED).join(', ') + (symbols.length > MAX_SYMBOLS_NAMED ? `, ... (${symbols.length} in all)` : '');
  const known = symbols.length > 0 ? `symbols found: ${shown}` : 'the data root holds no market data';
  throw new MarketDataError('no_data', `no market data for ${symbol}; ${known}`);
}

export interface TimeframeCoverage {
  /** API form, lower-case: `1d`. */
  timeframe: Timeframe;
  /** UTC day of the first candle, `YYYY-MM-DD`. */
  start_date: string;
  /** UTC day of the last candle, `YYYY-MM-DD`. */
  end_date: string;
  candles: number;
}

export interface MarketDataEntry {
  symbol: string;
  timeframes: TimeframeCoverage[];
}

/**
 * What the data root holds, by symbol. Cheap enough to call per request: row counts come from Parquet
 * footers, first and last timestamps from the first and last year file, all cached while files are
 * unchanged. A series with an unreadable file is left out; `loadCandles` names the file.
 */
export async function listMarketData(dataRoot: string): Promise<MarketDataEntry[]> {
  const entries: MarketDataEntry[] = [];
  for (const symbol of await listSymbols(dataRoot)) {
    const timeframes: TimeframeCoverage[] = [];
    for (const series of await listSeries(dataRoot, symbol)) {
      const coverage = await summarizeSeries(dataRoot, series).catch(leaveOutBadData);
      if (coverage) timeframes.push(coverage);
    }
    if (timeframes.length > 0) entries.push({ symbol, timeframes });
  }
  return entries;
}

function leaveOutBadData(error: unknown): undefined {
  if (error instanceof MarketDataError) return undefined;
  throw error;
}

/** Coverage of one series, or undefined when its files hold no candle. */
async function summarizeSeries(dataRoot: string, series: SeriesLocation): Promise<TimeframeCoverage | undefined> {
  const files = await Promise.all(
    series.years.map(async (year) => {
      const path = yearFilePath(series.folder, year);
      return { path, rowGroupSizes: await readRowGroupSizes(dataRoot, path) };
    }),
  );
  const withRows = files.filter((file) => file.rowGroupSizes.some((rows) => rows > 0));
  if (withRows.length === 0) return undefined;
  const [first, last] = [withRows[0], withRows[withRows.length - 1]];
  return {
    timeframe: series.timeframe,
    start_date: formatDate((await readEdgeTimestamps(dataRoot, first.path, first.rowGroupSizes)).first),
    end_date: formatDate((await readEdgeTimestamps(dataRoot, last.path, last.rowGroupSizes)).last),
    candles: files.reduce((sum, file) => sum + file.rowGroupSizes.reduce((a, b) => a + b, 0), 0),
  };
}

const rowGroupSizesCache = new FileCache<number[]>();
const edgeTimestampsCache = new FileCache<{ first: number; last: number }>();

function readRowGroupSizes(dataRoot: string, path: string): Promise<number[]> {
  return rowGroupSizesCache.get(join(dataRoot, path), async () => {
    try {
      return await readParquetRowGroupSizes(join(dataRoot, path));
    } catch (error) {
      throw corruptFileError(path, error);
    }
  });
}

/** Timestamps of the first and last row of a file with rows, decoding only the row groups that hold them. */
function readEdgeTimestamps(dataRoot: string, path: string, rowGroupSizes: number[]): Promise<{ first: number; last: number }> {
  const absolutePath = join(dataRoot, path);
  return edgeTimestampsCache.get(absolutePath, async () => {
    const bytes = await readFile(absolutePath);
    const timestampAt = (group: number, offset: number) =>
      tableToCandles(decodeParquet(bytes, path, { rowGroups: [group], offset, limit: 1 }), path).timestamp[0];
    const groupsWithRows = rowGroupSizes.flatMap((rows, group) => (rows > 0 ? [group] : []));
    const lastGroup = groupsWithRows[groupsWithRows.length - 1];
    return { first: timestampAt(groupsWithRows[0], 0), last: timestampAt(lastGroup, rowGroupSizes[lastGroup] - 1) };
  });
}
