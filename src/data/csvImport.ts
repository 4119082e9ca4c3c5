/**
 * Imports an OHLCV CSV file into the store's layout, one year file at a time. The file is streamed, so
 * memory holds one year of candles, not the file. Year files are staged under temporary names and put
 * in place only when the whole CSV has passed validation: a bad line leaves the store untouched.
 *
 * Merging: candles are merged into existing year files by timestamp. A timestamp already present with
 * the same values is kept as it is (re-importing a file changes nothing); with different values the
 * import stops, unless `force`, which replaces the stored candle with the CSV's.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import type { Timeframe } from '../engine/timeframes';
import type { Candles } from '../engine/types';
import type { BlobStore } from '../storage/providers';
import { allocateCandles, CandleAccumulator, candleColumnNames, sliceCandles, type CandleColumnName } from '../engine/candles';
import { decodeCandleFile, encodeCandleFile } from './candleFile';
import { describeInvalidCandle, isValidCandle } from './candleRules';
import { assertSymbol, assertTimeframe, formatTimestamp, listSeries, timeframeFolderName, yearFilePath, yearOf } from './layout';
import { MarketDataError } from './marketDataError';

export type TimestampFormat = 'iso8601' | 'epoch_seconds' | 'epoch_milliseconds';

export interface CsvImportRequest {
  store: BlobStore;
  csvPath: string;
  symbol: string;
  timeframe: string;
  /** Replace stored candles that differ from the CSV's; without it such a conflict stops the import. */
  force?: boolean;
  /** Called as the file is read, for a progress bar. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ImportedYearFile {
  /** Relative to the store root. */
  path: string;
  /** Candles in the file after the import. */
  candles: number;
  /** Candles the file did not have before. */
  added: number;
  /** Stored candles replaced by different CSV values (only with `force`). */
  replaced: number;
}

export interface CsvImportReport {
  rows: number;
  timestampFormat: TimestampFormat;
  files: ImportedYearFile[];
}

/** Epoch seconds below this, epoch milliseconds above: 1e11 s is the year 5138, 1e11 ms is 1973. */
const EPOCH_MILLISECONDS_THRESHOLD = 1e11;
const EPOCH_PATTERN = /^-?\d+(\.\d+)?$/;
const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export async function importCsv({ store, csvPath, symbol, timeframe, force = false, onProgress }: CsvImportRequest): Promise<CsvImportReport> {
  assertSymbol(symbol);
  assertTimeframe(timeframe);
  const [existing] = await listSeries(store, symbol, [timeframe]);
  const target: YearFileTarget = {
    store,
    symbol,
    timeframe,
    folder: existing?.folder ?? `${symbol}/${timeframeFolderName(timeframe)}`,
    existingYears: new Set(existing?.years),
    force,
  };
  // Every year is merged and encoded before the first is stored: a bad row anywhere changes nothing.
  const staged: StagedYear[] = [];
  let timestampFormat: TimestampFormat = 'iso8601';
  for await (const year of readCsvYears(csvPath, onProgress)) {
    staged.push(await stageYear(target, year.year, year.candles));
    timestampFormat = year.timestampFormat;
  }
  for (const year of staged) await store.put(year.report.path, year.bytes);
  const rows = staged.reduce((sum, year) => sum + year.csvRows, 0);
  return { rows, timestampFormat, files: staged.map((year) => year.report) };
}

interface CsvYear {
  year: number;
  candles: Candles;
  timestampFormat: TimestampFormat;
}

/** Streams the CSV, validating each row against the previous one, and yields its candles a UTC year at a time. */
async function* readCsvYears(csvPath: string, onProgress: CsvImportRequest['onProgress']): AsyncGenerator<CsvYear> {
  const totalBytes = (await stat(csvPath)).size;
  let bytesRead = 0;
  const input = createReadStream(csvPath);
  input.on('data', (chunk) => {
    bytesRead += chunk.length;
    onProgress?.(bytesRead, totalBytes);
  });
  const records = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, info: true }));
  let columns: Record<CandleColumnName, number> | undefined;
  let timestampFormat: TimestampFormat | undefined;
  let previousTimestamp = -Infinity;
  let year: { year: number; candles: CandleAccumulator } | undefined;
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const location = { file: csvPath, line: info.lines };
      if (!columns) {
        columns = findColumns(record, location);
        continue;
      }
      const timestampText = record[columns.timestamp];
      timestampFormat ??= detectTimestampFormat(timestampText, location);
      const timestamp = parseTimestamp(timestampText, timestampFormat, location);
      const [open, high, low, close, volume] = (['open', 'high', 'low', 'close', 'volume'] as const).map((name) =>
        parseNumber(name, record[columns![name]], location),
      );
      if (!isValidCandle(timestamp, open, high, low, close, volume, previousTimestamp)) {
        throw new MarketDataError('invalid_data', describeInvalidCandle(timestamp, open, high, low, close, volume, previousTimestamp), location);
      }
      previousTimestamp = timestamp;
      if (year?.year !== yearOf(timestamp)) {
        if (year) yield { year: year.year, candles: year.candles.toCandles(), timestampFormat };
        year = { year: yearOf(timestamp), candles: new CandleAccumulator() };
      }
      year.candles.push(timestamp, open, high, low, close, volume);
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw new MarketDataError('invalid_data', `not a readable CSV file (${error.message})`, {
        file: csvPath,
        line: typeof error.lines === 'number' ? error.lines : undefined,
      });
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (!year || !timestampFormat) throw new MarketDataError('no_data', 'no candle rows after the header', { file: csvPath });
  yield { year: year.year, candles: year.candles.toCandles(), timestampFormat };
}

/** Column positions by header name (case-insensitive); other columns are ignored. */
function findColumns(header: string[], location: { file: string; line: number }): Record<CandleColumnName, number> {
  const names = header.map((name) => name.toLowerCase());
  const missing = candleColumnNames.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new MarketDataError('missing_column', `missing column ${missing.join(', ')} (header: ${header.join(',')})`, location);
  }
  return Object.fromEntries(candleColumnNames.map((name) => [name, names.indexOf(name)])) as Record<CandleColumnName, number>;
}

function parseNumber(name: string, text: string | undefined, location: { file: string; line: number }): number {
  const value = text ? Number(text) : NaN;
  if (Number.isNaN(value)) throw new MarketDataError('invalid_data', `${name} ${JSON.stringify(text ?? '')} is not a number`, location);
  return value;
}

/** The format of the file's first timestamp; every later row must use the same one. */
function detectTimestampFormat(text: string, location: { file: string; line: number }): TimestampFormat {
  if (EPOCH_PATTERN.test(text)) return Math.abs(Number(text)) >= EPOCH_MILLISECONDS_THRESHOLD ? 'epoch_milliseconds' : 'epoch_seconds';
  if (ISO_PATTERN.test(text)) return 'iso8601';
  throw new MarketDataError(
    'invalid_data',
    `timestamp ${JSON.stringify(text)} is neither ISO 8601 (2024-01-31T09:00:00Z) nor epoch seconds or milliseconds`,
    location,
  );
}

/** Epoch ms of a timestamp in the file's format; ISO times without a zone are UTC. */
function parseTimestamp(text: string, format: TimestampFormat, location: { file: string; line: number }): number {
  const epochMs = format === 'iso8601' ? parseIsoTimestamp(text) : EPOCH_PATTERN.test(text) ? Number(text) * (format === 'epoch_seconds' ? 1000 : 1) : NaN;
  if (Number.isNaN(epochMs)) {
    throw new MarketDataError('invalid_data', `timestamp ${JSON.stringify(text)} is not a valid ${format} timestamp like the first row's`, location);
  }
  return Math.round(epochMs);
}

function parseIsoTimestamp(text: string): number {
  const match = ISO_PATTERN.exec(text);
  if (!match) return NaN;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  // Date.parse would roll 2023-02-30 over into March; a date must exist as written.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return NaN;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 4)}${offset}`);
}

interface YearFileTarget {
  store: BlobStore;
  symbol: string;
  timeframe: Timeframe;
  folder: string;
  existingYears: Set<number>;
  force: boolean;
}

interface StagedYear {
  bytes: Uint8Array;
  report: ImportedYearFile;
  csvRows: number;
}

/** One year merged with the stored file, if any, and encoded. */
async function stageYear(target: YearFileTarget, year: number, incoming: Candles): Promise<StagedYear> {
  const path = yearFilePath(target.folder, year);
  const merged = target.existingYears.has(year)
    ? mergeCandles(decodeCandleFile(await target.store.get(path), path, year), incoming, path, target.force)
    : { candles: incoming, added: incoming.length, replaced: 0 };
  const bytes = encodeCandleFile(merged.candles, target.symbol, target.timeframe);
  return { bytes, report: { path, candles: merged.candles.length, added: merged.added, replaced: merged.replaced }, csvRows: incoming.length };
}

/** Both sorted inputs in one sorted set; a shared timestamp keeps one candle (see the module comment). */
function mergeCandles(stored: Candles, incoming: Candles, storedPath: string, force: boolean): { candles: Candles; added: number; replaced: number } {
  const merged = allocateCandles(stored.length + incoming.length);
  let [storedRow, incomingRow, row, added, replaced] = [0, 0, 0, 0, 0];
  // Two-pointer merge: take the earlier candle; on a tie compare values and keep one.
  while (storedRow < stored.length || incomingRow < incoming.length) {
    const storedTime = storedRow < stored.length ? stored.timestamp[storedRow] : Infinity;
    const incomingTime = incomingRow < incoming.length ? incoming.timestamp[incomingRow] : Infinity;
    if (storedTime < incomingTime) {
      copyRow(stored, storedRow++, merged, row++);
      continue;
    }
    if (storedTime === incomingTime) {
      if (!sameCandle(stored, storedRow, incoming, incomingRow) && !force) {
        const reason = `already holds a different candle at ${formatTimestamp(storedTime)}; import with --force to replace stored candles`;
        throw new MarketDataError('invalid_data', reason, { file: storedPath, row: storedRow });
      }
      if (!sameCandle(stored, storedRow, incoming, incomingRow)) replaced++;
      storedRow++;
    } else {
      added++;
    }
    copyRow(incoming, incomingRow++, merged, row++);
  }
  return { candles: sliceCandles(merged, 0, row), added, replaced };
}

function copyRow(from: Candles, fromRow: number, to: Candles, toRow: number): void {
  for (const name of candleColumnNames) to[name][toRow] = from[name][fromRow];
}

function sameCandle(a: Candles, aRow: number, b: Candles, bRow: number): boolean {
  return candleColumnNames.every((name) => a[name][aRow] === b[name][bRow]);
}
