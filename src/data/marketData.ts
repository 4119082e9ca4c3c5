/**
 * The market-data store (DESIGN.md section 4): candles of one symbol and timeframe over a date range,
 * and the list of what is available, damaged files included. Reads go through the BlobStore, so a worker
 * on any machine reads the same files; decoded year files are kept in memory while their ETag is
 * unchanged, and a remote store's files are also kept on the local disk. Every failure is a
 * `MarketDataError` naming the file and row.
 */
import type { Timeframe } from '../engine/timeframes';
import type { Candles } from '../engine/types';
import { BlobNotFoundError, type BlobInfo, type BlobStore } from '../storage/providers';
import { md5 } from '../shared/checksum';
import { readParquetRowGroupSizes } from '../shared/parquet';
import { concatCandles, lowerBound, sliceCandles } from '../engine/candles';
import { corruptFileError, decodeCandleFile, decodeParquet, tableToCandles } from './candleFile';
import type { DiskCache } from './diskCache';
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
import { VersionedCache } from './versionedCache';

export interface CandleRange {
  /** `BASE_QUOTE`, e.g. `BTC_KRW`. */
  symbol: string;
  /** One of `1m 5m 15m 1h 4h 1d`. */
  timeframe: string;
  /** First day, `YYYY-MM-DD` (from 00:00 UTC). */
  startDate: string;
  /** Last day, `YYYY-MM-DD`, inclusive (up to the next day's 00:00 UTC). */
  endDate: string;
}

/** A data file a result was computed from, so the result can be audited and reproduced. */
export interface DataFileReference {
  /** Relative to the store root, e.g. `BTC_KRW/1D/2023.parquet`. */
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

/** A file that cannot be read, as `/api/data/symbols` reports it. */
export interface DataProblem {
  file: string;
  message: string;
}

/** A series as a submission checks it: its timeframe and damaged files. */
export interface SeriesProblems {
  /** API form, lower-case: `1d`. */
  timeframe: Timeframe;
  problems: DataProblem[];
}

/** The timeframes a symbol has data for, as a submission checks them. */
export interface SymbolAvailability {
  symbol: string;
  timeframes: SeriesProblems[];
}

export interface TimeframeCoverage extends SeriesProblems {
  /** UTC day of the first candle of the readable files, `YYYY-MM-DD`; null when none is readable. */
  start_date: string | null;
  end_date: string | null;
  candles: number;
}

export interface MarketDataEntry {
  symbol: string;
  timeframes: TimeframeCoverage[];
}

export interface MarketDataOptions {
  store: BlobStore;
  /** Memory for decoded year files, in bytes. */
  cacheBytes: number;
  /** Local copies of a remote store's files; omit for a local store. */
  diskCache?: DiskCache;
  /** Called once per damaged file (and version), e.g. to log it. */
  onDamagedFile?: (problem: DataProblem) => void;
}

interface YearFile {
  candles: Candles;
  reference: DataFileReference;
}

const MAX_SYMBOLS_NAMED = 10;
const BYTES_PER_CANDLE = 6 * Float64Array.BYTES_PER_ELEMENT;
const YEAR_IN_KEY = /(\d{4})\.parquet$/;

/** The year a year file's key names. */
export function yearOfFile(key: string): number {
  return Number(YEAR_IN_KEY.exec(key)?.[1]);
}

export class MarketData {
  private readonly yearFiles: VersionedCache<YearFile>;
  private readonly rowGroupSizes = new VersionedCache<number[]>();
  private readonly edgeTimestamps = new VersionedCache<{ first: number; last: number }>();
  private readonly reportedProblems = new Set<string>();

  constructor(private readonly options: MarketDataOptions) {
    this.yearFiles = new VersionedCache({ maxBytes: options.cacheBytes, sizeOf: ({ candles }) => candles.length * BYTES_PER_CANDLE });
  }

  /**
   * Candles with `startDate 00:00 UTC <= timestamp < endDate + 1 day`, read from the year files the range
   * touches; every row of those files is validated. A range only partly covered gives the candles that exist.
   */
  async loadCandles({ symbol, timeframe, startDate, endDate }: CandleRange): Promise<LoadedCandles> {
    assertSymbol(symbol);
    assertTimeframe(timeframe);
    const from = parseDate('start_date', startDate);
    const until = parseDate('end_date', endDate) + DAY_MS;
    if (until <= from) throw new MarketDataError('empty_range', `end_date ${endDate} is before start_date ${startDate}`);

    const series = await this.findSeriesWithData(symbol, timeframe);
    const years = series.years.filter((year) => year >= yearOf(from) && year <= yearOf(until - 1));
    // Reads overlap; of several bad files, the earliest year is reported, whichever failed first.
    const reads = await Promise.allSettled(years.map((year) => this.readYearFile(yearFilePath(series.folder, year), year)));
    const parts: Candles[] = [];
    const files: DataFileReference[] = [];
    for (const read of reads) {
      if (read.status === 'rejected') throw read.reason;
      const { candles, reference } = read.value;
      files.push(reference);
      const first = lowerBound(candles.timestamp, candles.length, from);
      const end = lowerBound(candles.timestamp, candles.length, until);
      if (end > first) parts.push(sliceCandles(candles, first, end));
    }
    if (parts.length === 0) {
      const coverage = await this.summarizeSeries(series);
      const covers = coverage.start_date ? `data covers ${coverage.start_date} .. ${coverage.end_date}` : 'its files hold no candle';
      throw new MarketDataError('empty_range', `${symbol} ${timeframe} has no candle between ${startDate} and ${endDate}; ${covers}`);
    }
    return { candles: concatCandles(parts), files };
  }

  /**
   * What the store holds, by symbol, with each series' damaged files. Cheap enough to call per request:
   * row counts come from Parquet footers, first and last timestamps from the first and last readable
   * year file, all cached while the files are unchanged.
   */
  async list(): Promise<MarketDataEntry[]> {
    return this.describe(await listSymbols(this.options.store), (series) => this.summarizeSeries(series));
  }

  /**
   * What a submission checks of these symbols: the timeframes each has data for, with their damaged files; a
   * symbol the store lacks is left out. Only the files' footers are read, and no symbol the request does not name.
   */
  async availability(symbols: string[]): Promise<SymbolAvailability[]> {
    const known = new Set(await listSymbols(this.options.store));
    const named = [...new Set(symbols)].filter((symbol) => known.has(symbol));
    return this.describe(named, async (series) => ({ timeframe: series.timeframe, problems: (await this.readFooters(series)).problems }));
  }

  /** Symbols side by side (a remote store's round trips add up), in the order given, each series as `summarize` says. */
  private async describe<T>(symbols: string[], summarize: (series: SeriesLocation) => Promise<T>): Promise<{ symbol: string; timeframes: T[] }[]> {
    const entries = await Promise.all(
      symbols.map(async (symbol) => {
        const timeframes: T[] = [];
        for (const series of await listSeries(this.options.store, symbol)) {
          if (series.years.length > 0) timeframes.push(await summarize(series));
        }
        return { symbol, timeframes };
      }),
    );
    return entries.filter((entry) => entry.timeframes.length > 0);
  }

  /** A year file, decoded and validated, from the cache while its ETag is unchanged. */
  private async readYearFile(key: string, year: number): Promise<YearFile> {
    const info = await this.statOrMissing(key);
    return this.yearFiles.get(key, info.etag, async () => {
      const bytes = await this.fetch(key, info);
      try {
        const candles = decodeCandleFile(bytes, key, year);
        return { candles, reference: { path: key, size_bytes: bytes.length, md5: md5(bytes) } };
      } catch (error) {
        if (error instanceof MarketDataError && error.code === 'corrupt_file') this.report({ file: key, message: error.message }, info);
        throw error;
      }
    });
  }

  private async statOrMissing(key: string): Promise<BlobInfo> {
    const info = await this.options.store.stat(key);
    if (!info) throw new MarketDataError('no_data', 'the file disappeared while it was being read', { file: key });
    return info;
  }

  private async fetch(key: string, info: BlobInfo): Promise<Buffer> {
    const download = async () => {
      try {
        return await this.options.store.get(key);
      } catch (error) {
        if (error instanceof BlobNotFoundError) throw new MarketDataError('no_data', 'the file disappeared while it was being read', { file: key });
        throw error;
      }
    };
    return this.options.diskCache ? this.options.diskCache.read(key, info, download) : download();
  }

  private report(problem: DataProblem, info: BlobInfo): void {
    const identity = `${problem.file}@${info.etag}`;
    if (this.reportedProblems.has(identity)) return;
    this.reportedProblems.add(identity);
    this.options.onDamagedFile?.(problem);
  }

  /** The series, or a `no_data` error saying which symbols or timeframes do exist. */
  private async findSeriesWithData(symbol: string, timeframe: Timeframe): Promise<SeriesLocation> {
    const { store } = this.options;
    const [found] = await listSeries(store, symbol, [timeframe]);
    if (found?.years.length) return found;
    const series = await listSeries(store, symbol);
    const withData = series.filter((candidate) => candidate.years.length > 0).map((candidate) => candidate.timeframe);
    if (withData.length > 0) {
      throw new MarketDataError('no_data', `${symbol} has no ${timeframe} data; timeframes with data: ${withData.join(', ')}`);
    }
    const symbols = await listSymbols(store);
    // Name a few, never the server's paths: this message reaches API users.
    const shown = symbols.slice(0, MAX_SYMBOLS_NAMED).join(', ') + (symbols.length > MAX_SYMBOLS_NAMED ? `, ... (${symbols.length} in all)` : '');
    const known = symbols.length > 0 ? `symbols found: ${shown}` : 'the store holds no market data';
    throw new MarketDataError('no_data', `no market data for ${symbol}; ${known}`);
  }

  /** Coverage of one series from its readable files; each unreadable file is a problem of the series. */
  private async summarizeSeries(series: SeriesLocation): Promise<TimeframeCoverage> {
    const { readable, problems } = await this.readFooters(series);
    const candles = readable.reduce((sum, file) => sum + file.rowGroupSizes.reduce((a, b) => a + b, 0), 0);
    if (readable.length === 0) return { timeframe: series.timeframe, start_date: null, end_date: null, candles, problems };
    const [first, last] = [readable[0], readable[readable.length - 1]];
    return {
      timeframe: series.timeframe,
      start_date: formatDate((await this.readEdgeTimestamps(first)).first),
      end_date: formatDate((await this.readEdgeTimestamps(last)).last),
      candles,
      problems,
    };
  }

  /** The row groups of each year file with rows, from its footer; each unreadable file is a problem of the series. */
  private async readFooters(series: SeriesLocation) {
    const problems: DataProblem[] = [];
    const readable: { key: string; info: BlobInfo; rowGroupSizes: number[] }[] = [];
    // Every year file at once (a remote store's round trips add up), reported in year order.
    const files = await Promise.all(
      series.years.map(async (year) => {
        const key = yearFilePath(series.folder, year);
        try {
          const info = await this.statOrMissing(key);
          const rowGroupSizes = await this.rowGroupSizes.get(key, info.etag, async () => {
            try {
              return await readParquetRowGroupSizes(await this.fetch(key, info));
            } catch (error) {
              if (error instanceof MarketDataError) throw error;
              const damaged = corruptFileError(key, error);
              this.report({ file: key, message: damaged.message }, info);
              throw damaged;
            }
          });
          return { key, info, rowGroupSizes };
        } catch (error) {
          if (!(error instanceof MarketDataError)) throw error;
          return { problem: { file: key, message: error.message } };
        }
      }),
    );
    for (const file of files) {
      if ('problem' in file) problems.push(file.problem!);
      else if (file.rowGroupSizes.some((rows) => rows > 0)) readable.push(file);
    }
    return { readable, problems };
  }

  /** Timestamps of the first and last row of a file with rows, decoding only the row groups that hold them. */
  private readEdgeTimestamps({ key, info, rowGroupSizes }: { key: string; info: BlobInfo; rowGroupSizes: number[] }) {
    return this.edgeTimestamps.get(key, info.etag, async () => {
      const bytes = await this.fetch(key, info);
      const timestampAt = (group: number, offset: number) =>
        tableToCandles(decodeParquet(bytes, key, { rowGroups: [group], offset, limit: 1 }), key).timestamp[0];
      const groupsWithRows = rowGroupSizes.flatMap((rows, group) => (rows > 0 ? [group] : []));
      const lastGroup = groupsWithRows[groupsWithRows.length - 1];
      return { first: timestampAt(groupsWithRows[0], 0), last: timestampAt(lastGroup, rowGroupSizes[lastGroup] - 1) };
    });
  }
}

/** Damaged files of a series that a range of days needs (its years overlap the range). */
export function problemsInRange(coverage: SeriesProblems, startDate: string, endDate: string): DataProblem[] {
  const firstYear = Number(startDate.slice(0, 4));
  const lastYear = Number(endDate.slice(0, 4));
  return coverage.problems.filter((problem) => yearOfFile(problem.file) >= firstYear && yearOfFile(problem.file) <= lastYear);
}
