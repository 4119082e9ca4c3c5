import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importCsv, type CsvImportRequest } from '../../../src/data/csvImport';
import { MarketData } from '../../../src/data/marketData';
import { LocalBlobStore } from '../../../src/storage/providers';
import { MarketDataError } from '../../../src/data/marketDataError';
import { createDataRoot, removeDataRoot } from './marketDataFixtures';

describe('importCsv', () => {
  let dataRoot: string;
  let csvPath: string;

  beforeEach(async () => {
    dataRoot = await createDataRoot();
    csvPath = join(dataRoot, 'prices.csv');
  });
  afterEach(() => removeDataRoot(dataRoot));

  async function importText(text: string, overrides: Partial<CsvImportRequest> = {}) {
    await writeFile(csvPath, text);
    return importCsv({ store: new LocalBlobStore(dataRoot), csvPath, symbol: 'BTC_KRW', timeframe: '1h', ...overrides });
  }

  async function importError(text: string, overrides: Partial<CsvImportRequest> = {}): Promise<MarketDataError> {
    const error = await importText(text, overrides).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MarketDataError);
    return error as MarketDataError;
  }

  const load = (startDate: string, endDate: string) =>
    new MarketData({ store: new LocalBlobStore(dataRoot), cacheBytes: 0 }).loadCandles({ symbol: 'BTC_KRW', timeframe: '1h', startDate, endDate });

  it('imports ISO 8601 rows in any column order, splitting them into UTC year files', async () => {
    const report = await importText(
      [
        'volume,Close,symbol,timestamp,open,high,low',
        '5,101,BTC_KRW,2023-12-31T23:00:00Z,100,102,99',
        '6,102,BTC_KRW,2024-01-01 00:00:00,101,103,100',
        '7,103,BTC_KRW,2024-01-01T10:00:00+09:00,102,104,101.5',
      ].join('\n'),
    );
    expect(report).toEqual({
      rows: 3,
      timestampFormat: 'iso8601',
      files: [
        { path: 'BTC_KRW/1H/2023.parquet', candles: 1, added: 1, replaced: 0 },
        { path: 'BTC_KRW/1H/2024.parquet', candles: 2, added: 2, replaced: 0 },
      ],
    });
    const { candles } = await load('2023-12-31', '2024-01-01');
    expect(Array.from(candles.timestamp)).toEqual([Date.UTC(2023, 11, 31, 23), Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 1)]);
    expect(Array.from(candles.low)).toEqual([99, 100, 101.5]);
  });

  it.each([
    ['epoch seconds', '1704067200', '1704070800', 'epoch_seconds'],
    ['epoch milliseconds', '1704067200000', '1704070800000', 'epoch_milliseconds'],
  ])('detects %s timestamps', async (_case, first, second, format) => {
    const report = await importText(`timestamp,open,high,low,close,volume\r\n${first},1,2,0.5,1.5,10\r\n${second},1.5,2,1,1.2,0\r\n`);
    expect(report.timestampFormat).toBe(format);
    const { candles } = await load('2024-01-01', '2024-01-01');
    expect(Array.from(candles.timestamp)).toEqual([Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 1)]);
  });

  const header = 'timestamp,open,high,low,close,volume';

  it.each([
    ['a high below the body', `${header}\n2024-01-01T00:00Z,10,11,9,10.5,1\n\n2024-01-01T01:00Z,10.5,10,9,10.5,1\n`, 'line 4: high 10 < max(open, close) 10.5'],
    ['an unsorted row', `${header}\n2024-01-01T01:00Z,10,11,9,10.5,1\n2024-01-01T00:00Z,10,11,9,10.5,1\n`, "line 3: timestamp 2024-01-01T00:00:00.000Z is before the previous candle's 2024-01-01T01:00:00.000Z (candles must be sorted ascending)"],
    ['a duplicate row', `${header}\n2024-01-01T01:00Z,10,11,9,10.5,1\n2024-01-01T01:00Z,10,11,9,10.5,1\n`, 'line 3: duplicate timestamp 2024-01-01T01:00:00.000Z'],
    ['a word for a price', `${header}\n2024-01-01T00:00Z,abc,11,9,10.5,1\n`, 'line 2: open "abc" is not a number'],
    ['an empty volume', `${header}\n2024-01-01T00:00Z,10,11,9,10.5,\n`, 'line 2: volume "" is not a number'],
    ['a negative volume', `${header}\n2024-01-01T00:00Z,10,11,9,10.5,-2\n`, 'line 2: volume -2 is negative'],
    ['a timestamp in another format', `${header}\n2024-01-01T00:00Z,10,11,9,10.5,1\n1704070800,10,11,9,10.5,1\n`, 'line 3: timestamp "1704070800" is not a valid iso8601 timestamp like the first row\'s'],
    ['an impossible date', `${header}\n2023-02-30,10,11,9,10.5,1\n`, 'line 2: timestamp "2023-02-30" is not a valid iso8601 timestamp like the first row\'s'],
    ['an unreadable timestamp', `${header}\nyesterday,10,11,9,10.5,1\n`, 'line 2: timestamp "yesterday" is neither ISO 8601 (2024-01-31T09:00:00Z) nor epoch seconds or milliseconds'],
    ['a missing column', 'timestamp,open,high,low,close\n2024-01-01,1,1,1,1\n', 'line 1: missing column volume (header: timestamp,open,high,low,close)'],
  ])('reports %s with the CSV file and line number', async (_case, text, reason) => {
    const error = await importError(text);
    expect(error.message).toBe(`${csvPath} ${reason}`);
    expect([error.file, error.line]).toEqual([csvPath, Number(reason.split(' ')[1].replace(':', ''))]);
  });

  it('reports a row with a wrong number of fields with its line number', async () => {
    const error = await importError(`${header}\n2024-01-01T00:00Z,10,11,9,10.5,1\n2024-01-01T01:00Z,10,11\n`);
    expect([error.code, error.line]).toEqual(['invalid_data', 3]);
    expect(error.message).toMatch(new RegExp(`^${csvPath} line 3: not a readable CSV file \\(.+\\)$`));
  });

  it('writes nothing when a later row is bad, even for years already complete', async () => {
    const error = await importError(`${header}\n2023-12-31T23:00Z,10,11,9,10.5,1\n2024-01-01T00:00Z,10,11,9,10.5,1\n2024-01-01T01:00Z,10,11,9,10.5,-1\n`);
    expect(error.line).toBe(4);
    expect(await new LocalBlobStore(dataRoot).list('BTC_KRW/1H')).toEqual([]);
  });

  it('fails on a file with a header and no rows', async () => {
    const error = await importError(`${header}\n`);
    expect([error.code, error.message]).toEqual(['no_data', `${csvPath}: no candle rows after the header`]);
  });

  it('merges into an existing year file and leaves identical candles alone', async () => {
    await importText(`${header}\n2024-01-01T00:00Z,10,11,9,10.5,1\n2024-01-01T02:00Z,10,11,9,10.5,1\n`);
    const report = await importText(`${header}\n2024-01-01T01:00Z,10,11,9,10.5,1\n2024-01-01T02:00Z,10,11,9,10.5,1\n`);
    expect(report.files).toEqual([{ path: 'BTC_KRW/1H/2024.parquet', candles: 3, added: 1, replaced: 0 }]);
    expect((await load('2024-01-01', '2024-01-01')).candles.length).toBe(3);
  });

  it('refuses to change a stored candle without force and replaces it with force', async () => {
    await importText(`${header}\n2024-01-01T00:00Z,10,11,9,10.5,1\n`);
    const stored = await readFile(join(dataRoot, 'BTC_KRW/1H/2024.parquet'));
    const changed = `${header}\n2024-01-01T00:00Z,10,12,9,10.5,1\n`;
    const error = await importError(changed);
    expect(error.message).toBe(
      'BTC_KRW/1H/2024.parquet row 0: already holds a different candle at 2024-01-01T00:00:00.000Z; import with --force to replace stored candles',
    );
    expect(Buffer.compare(await readFile(join(dataRoot, 'BTC_KRW/1H/2024.parquet')), stored)).toBe(0);
    const report = await importText(changed, { force: true });
    expect(report.files[0]).toMatchObject({ added: 0, replaced: 1 });
    expect((await load('2024-01-01', '2024-01-01')).candles.high[0]).toBe(12);
  });

  it('reports progress up to the size of the file', async () => {
    const rows = Array.from({ length: 2000 }, (_, hour) => `${1704067200 + hour * 3600},10,11,9,10.5,1`);
    const text = `${header}\n${rows.join('\n')}\n`;
    const progress: number[] = [];
    await importText(text, { onProgress: (bytesRead, totalBytes) => progress.push(bytesRead / totalBytes) });
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('rejects a bad symbol or timeframe before reading anything', async () => {
    expect((await importError(header, { symbol: 'BTC/../KRW' })).code).toBe('invalid_symbol');
    expect((await importError(header, { timeframe: '7m' })).code).toBe('invalid_timeframe');
  });
});
