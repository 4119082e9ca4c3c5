import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MarketData, type CandleRange } from '../../../src/data/marketData';
import { MarketDataError } from '../../../src/data/marketDataError';
import { writeSampleData } from '../../../src/data/sampleData';
import { LocalBlobStore } from '../../../src/storage/providers';
import {
  createDataRoot,
  DAY_MS,
  removeDataRoot,
  validRows,
  writeCandleRows,
  writeDataFile,
  type CandleRows,
  type TimestampEncoding,
} from './marketDataFixtures';

const FILE = 'BTC_KRW/1D/2023.parquet';

/** A range in a data root; `cache` is a MarketData that keeps decoded files (a fresh one without). */
type LoadCandlesRequest = CandleRange & { dataRoot: string; cache?: MarketData };

function loadCandles({ dataRoot, cache, ...range }: LoadCandlesRequest) {
  return (cache ?? new MarketData({ store: new LocalBlobStore(dataRoot), cacheBytes: 0 })).loadCandles(range);
}

const cachingMarketData = (dataRoot: string) => new MarketData({ store: new LocalBlobStore(dataRoot), cacheBytes: 10_000_000 });

/** The MarketDataError a load fails with (the test fails if it resolves or throws anything else). */
async function loadError(request: LoadCandlesRequest): Promise<MarketDataError> {
  const error = await loadCandles(request).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MarketDataError);
  return error as MarketDataError;
}

describe('loadCandles on generated sample data', () => {
  let dataRoot: string;

  beforeAll(async () => {
    dataRoot = await createDataRoot();
    await writeSampleData({ store: new LocalBlobStore(dataRoot), symbols: ['BTC_KRW', 'XRP_KRW'], timeframes: ['1d', '1h'], seed: 7 });
  });
  afterAll(() => removeDataRoot(dataRoot));

  it('reads a range across a year boundary with the end date included as a whole UTC day', async () => {
    const { candles, files } = await loadCandles({ dataRoot, symbol: 'BTC_KRW', timeframe: '1h', startDate: '2022-12-31', endDate: '2023-01-01' });
    expect(candles.length).toBe(48);
    expect(new Date(candles.timestamp[0]).toISOString()).toBe('2022-12-31T00:00:00.000Z');
    expect(new Date(candles.timestamp[47]).toISOString()).toBe('2023-01-01T23:00:00.000Z');
    expect(files.map((file) => file.path)).toEqual(['BTC_KRW/1H/2022.parquet', 'BTC_KRW/1H/2023.parquet']);
  });

  it('returns the whole four years as one ascending series with unique timestamps', async () => {
    const { candles } = await loadCandles({ dataRoot, symbol: 'BTC_KRW', timeframe: '1d', startDate: '2021-01-01', endDate: '2024-12-31' });
    expect(candles.length).toBe(1461);
    for (let row = 1; row < candles.length; row++) expect(candles.timestamp[row] - candles.timestamp[row - 1]).toBe(DAY_MS);
  });

  it('describes every file read with its size and MD5 checksum', async () => {
    const { files } = await loadCandles({ dataRoot, symbol: 'XRP_KRW', timeframe: '1d', startDate: '2024-03-01', endDate: '2024-03-31' });
    const bytes = await readFile(join(dataRoot, 'XRP_KRW/1D/2024.parquet'));
    expect(files).toEqual([{ path: 'XRP_KRW/1D/2024.parquet', size_bytes: bytes.length, md5: createHash('md5').update(bytes).digest('hex') }]);
  });

  it('uses the candles that exist when the range is only partly covered', async () => {
    const { candles } = await loadCandles({ dataRoot, symbol: 'BTC_KRW', timeframe: '1d', startDate: '2024-12-01', endDate: '2025-06-30' });
    expect(candles.length).toBe(31);
  });

  it('says which range exists when no candle falls in the requested one', async () => {
    const error = await loadError({ dataRoot, symbol: 'BTC_KRW', timeframe: '1d', startDate: '2030-01-01', endDate: '2030-12-31' });
    expect(error.code).toBe('empty_range');
    expect(error.message).toBe('BTC_KRW 1d has no candle between 2030-01-01 and 2030-12-31; data covers 2021-01-01 .. 2024-12-31');
  });

  it('names the symbols that exist when a symbol has no data', async () => {
    const error = await loadError({ dataRoot, symbol: 'DOGE_KRW', timeframe: '1d', startDate: '2022-01-01', endDate: '2022-12-31' });
    expect(error.code).toBe('no_data');
    expect(error.message).toBe("no market data for DOGE_KRW; symbols found: BTC_KRW, XRP_KRW");
  });

  it('names the timeframes that exist when a timeframe has no data', async () => {
    const error = await loadError({ dataRoot, symbol: 'BTC_KRW', timeframe: '4h', startDate: '2022-01-01', endDate: '2022-12-31' });
    expect(error.code).toBe('no_data');
    expect(error.message).toBe('BTC_KRW has no 4h data; timeframes with data: 1h, 1d');
  });

  it('rejects a path-traversal symbol before touching the disk', async () => {
    const error = await loadError({ dataRoot, symbol: '../BTC_KRW', timeframe: '1d', startDate: '2022-01-01', endDate: '2022-12-31' });
    expect(error.code).toBe('invalid_symbol');
    expect(error.message).toBe('invalid symbol "../BTC_KRW": expected BASE_QUOTE in upper-case letters and digits, e.g. BTC_KRW');
  });

  it('rejects an unknown timeframe and an impossible or reversed date range', async () => {
    const request = { dataRoot, symbol: 'BTC_KRW', timeframe: '1d', startDate: '2022-01-01', endDate: '2022-12-31' };
    expect((await loadError({ ...request, timeframe: '2h' })).message).toBe('invalid timeframe "2h": expected one of 1m, 5m, 15m, 1h, 4h, 1d');
    expect((await loadError({ ...request, endDate: '2022-02-30' })).message).toBe('invalid end_date "2022-02-30": expected a YYYY-MM-DD date');
    const reversed = await loadError({ ...request, startDate: '2023-01-01' });
    expect([reversed.code, reversed.message]).toEqual(['empty_range', 'end_date 2022-12-31 is before start_date 2023-01-01']);
  });
});

describe('listing market data', () => {
  let dataRoot: string;
  let marketData: MarketData;
  const listMarketData = () => marketData.list();

  beforeAll(async () => {
    dataRoot = await createDataRoot();
    await writeSampleData({ store: new LocalBlobStore(dataRoot), symbols: ['ETH_KRW', 'BTC_KRW'], timeframes: ['1d'], startDate: '2022-03-01', endDate: '2023-06-30', seed: 3 });
    await writeCandleRows(dataRoot, 'BTC_KRW/4h/2024.parquet', validRows(6, Date.UTC(2024, 1, 1), 4 * 3_600_000));
    await writeDataFile(dataRoot, 'tasks/some-task/manifest.json', '{}');
    marketData = cachingMarketData(dataRoot);
  });
  afterAll(() => removeDataRoot(dataRoot));

  it('lists symbols in order with each timeframe in API form, its date range and candle count', async () => {
    expect(await listMarketData()).toEqual([
      {
        symbol: 'BTC_KRW',
        timeframes: [
          { timeframe: '4h', start_date: '2024-02-01', end_date: '2024-02-01', candles: 6, problems: [] },
          { timeframe: '1d', start_date: '2022-03-01', end_date: '2023-06-30', candles: 487, problems: [] },
        ],
      },
      { symbol: 'ETH_KRW', timeframes: [{ timeframe: '1d', start_date: '2022-03-01', end_date: '2023-06-30', candles: 487, problems: [] }] },
    ]);
  });

  it('notices a file that changed since the last call', async () => {
    await listMarketData();
    await writeCandleRows(dataRoot, 'BTC_KRW/4h/2024.parquet', validRows(12, Date.UTC(2024, 1, 1), 4 * 3_600_000));
    const btc = (await listMarketData())[0];
    expect(btc.timeframes[0]).toEqual({ timeframe: '4h', start_date: '2024-02-01', end_date: '2024-02-02', candles: 12, problems: [] });
  });

  it('reports a damaged file with the series it belongs to, and the rest of the series from its readable files', async () => {
    const damaged: string[] = [];
    marketData = new MarketData({ store: new LocalBlobStore(dataRoot), cacheBytes: 0, onDamagedFile: (problem) => damaged.push(problem.file) });
    await writeSampleData({ store: new LocalBlobStore(dataRoot), symbols: ['XRP_KRW'], timeframes: ['1d'], startDate: '2021-01-01', endDate: '2022-12-31' });
    const intact = await readFile(join(dataRoot, 'XRP_KRW/1D/2022.parquet'));
    await writeDataFile(dataRoot, 'XRP_KRW/1D/2022.parquet', intact.subarray(0, intact.length >> 1));
    const xrp = (await listMarketData()).find((entry) => entry.symbol === 'XRP_KRW');
    expect(xrp?.timeframes).toEqual([
      {
        timeframe: '1d',
        start_date: '2021-01-01',
        end_date: '2021-12-31',
        candles: 365,
        problems: [{ file: 'XRP_KRW/1D/2022.parquet', message: expect.stringMatching(/^XRP_KRW\/1D\/2022.parquet: not a readable Parquet file/) }],
      },
    ]);
    // Reported once, however often it is listed; the intact year still loads.
    await listMarketData();
    expect(damaged).toEqual(['XRP_KRW/1D/2022.parquet']);
    const { candles } = await marketData.loadCandles({ symbol: 'XRP_KRW', timeframe: '1d', startDate: '2021-01-01', endDate: '2021-12-31' });
    expect(candles.length).toBe(365);
  });

  it('lists a series whose only file is damaged with no range, and nothing for an empty root', async () => {
    await writeDataFile(dataRoot, 'SOL_KRW/1D/2023.parquet', 'not parquet');
    const sol = (await listMarketData()).find((entry) => entry.symbol === 'SOL_KRW');
    expect(sol?.timeframes).toEqual([{ timeframe: '1d', start_date: null, end_date: null, candles: 0, problems: [expect.objectContaining({ file: 'SOL_KRW/1D/2023.parquet' })] }]);
    const emptyRoot = await createDataRoot();
    expect(await new MarketData({ store: new LocalBlobStore(emptyRoot), cacheBytes: 0 }).list()).toEqual([]);
    expect(await new MarketData({ store: new LocalBlobStore(join(emptyRoot, 'missing')), cacheBytes: 0 }).list()).toEqual([]);
    await removeDataRoot(emptyRoot);
  });
});

describe('loadCandles on hand-made files', () => {
  let dataRoot: string;
  const request = (overrides: Partial<LoadCandlesRequest> = {}): LoadCandlesRequest => ({
    dataRoot,
    symbol: 'BTC_KRW',
    timeframe: '1d',
    startDate: '2023-01-01',
    endDate: '2023-12-31',
    ...overrides,
  });

  beforeEach(async () => {
    dataRoot = await createDataRoot();
  });
  afterEach(() => removeDataRoot(dataRoot));

  it.each<[TimestampEncoding, string | null]>([
    ['ms', 'UTC'],
    ['us', 'UTC'],
    ['ns', 'UTC'],
    ['ms', null],
    ['us', null],
    ['ns', null],
    ['us', '+00:00'],
    ['int64_ms', null],
  ])('reads %s timestamps with timezone %s as epoch milliseconds UTC', async (timestampEncoding, timezone) => {
    const rows = validRows(5, Date.UTC(2023, 5, 1, 9, 30, 15, 250));
    await writeCandleRows(dataRoot, FILE, rows, { timestampEncoding, timezone });
    const { candles } = await loadCandles(request());
    expect(Array.from(candles.timestamp)).toEqual(rows.timestamp);
    expect(Array.from(candles.close)).toEqual(rows.close);
  });

  it('matches the timeframe folder case-insensitively and ignores extra columns', async () => {
    await writeCandleRows(dataRoot, 'BTC_KRW/1d/2023.parquet', validRows(3));
    const { candles, files } = await loadCandles(request());
    expect(candles.length).toBe(3);
    expect(files[0].path).toBe('BTC_KRW/1d/2023.parquet');
  });

  /** Valid rows with one change, written to 2023.parquet; resolves to the error loading them gives. */
  async function errorFor(change: (rows: CandleRows) => void, count = 20): Promise<MarketDataError> {
    const rows = validRows(count);
    change(rows);
    await writeCandleRows(dataRoot, FILE, rows);
    return loadError(request());
  }

  it.each<[string, (rows: CandleRows) => void, string]>([
    [
      'unsorted timestamps',
      (rows) => ([rows.timestamp[2], rows.timestamp[3]] = [rows.timestamp[3], rows.timestamp[2]]),
      'row 3: timestamp 2023-01-03T00:00:00.000Z is before the previous candle\'s 2023-01-04T00:00:00.000Z (candles must be sorted ascending)',
    ],
    ['a duplicate timestamp', (rows) => (rows.timestamp[5] = rows.timestamp[4]), 'row 5: duplicate timestamp 2023-01-05T00:00:00.000Z'],
    ['a NaN price', (rows) => (rows.close[6] = NaN), 'row 6: close is NaN'],
    ['a NaN volume', (rows) => (rows.volume[6] = NaN), 'row 6: volume is NaN'],
    ['an infinite high', (rows) => (rows.high[2] = Infinity), 'row 2: high is Infinity'],
    ['a zero price', (rows) => (rows.low[8] = 0), 'row 8: low 0 is not positive'],
    ['a negative price', (rows) => (rows.open[9] = -100), 'row 9: open -100 is not positive'],
    ['high below max(open, close)', (rows) => ([rows.high[17], rows.close[17]] = [101.2, 103.5]), 'row 17: high 101.2 < max(open, close) 103.5'],
    ['low above min(open, close)', (rows) => ([rows.low[4], rows.open[4]] = [99.5, 99]), 'row 4: low 99.5 > min(open, close) 99'],
    ['a negative volume', (rows) => (rows.volume[11] = -1), 'row 11: volume -1 is negative'],
    ['a null price', (rows) => (rows.open[1] = null), 'row 1: open is null'],
    [
      'a candle of another year',
      (rows) => (rows.timestamp[19] = Date.UTC(2024, 0, 1)),
      'row 19: timestamp 2024-01-01T00:00:00.000Z is outside 2023 (a year file holds that UTC year only)',
    ],
  ])('fails on %s, naming the file and the first bad row', async (_case, change, reason) => {
    const error = await errorFor(change);
    expect(error.code).toBe('invalid_data');
    expect(error.message).toBe(`${FILE} ${reason}`);
    expect([error.file, error.row]).toEqual([FILE, Number(reason.split(' ')[1].replace(':', ''))]);
  });

  it('reports the first bad row when several rows are bad', async () => {
    const error = await errorFor((rows) => {
      rows.volume[12] = -5;
      rows.high[3] = 90;
    });
    expect(error.message).toBe(`${FILE} row 3: high 90 < max(open, close) 102`);
  });

  it('fails on a missing column, listing the columns found', async () => {
    await writeCandleRows(dataRoot, FILE, validRows(3), { omit: ['volume'] });
    const error = await loadError(request());
    expect(error.code).toBe('missing_column');
    expect(error.message).toBe(`${FILE}: missing column volume (columns found: timestamp, symbol, timeframe, open, high, low, close)`);
  });

  it('joins consecutive year files into one series', async () => {
    await writeCandleRows(dataRoot, 'BTC_KRW/1D/2022.parquet', validRows(3, Date.UTC(2022, 11, 29)));
    await writeCandleRows(dataRoot, FILE, validRows(3, Date.UTC(2023, 0, 1)));
    const { candles } = await loadCandles(request({ startDate: '2022-12-01' }));
    expect(candles.length).toBe(6);
  });

  it('fails on a file that is not Parquet', async () => {
    await writeDataFile(dataRoot, FILE, 'timestamp,open,high\n1,2,3\n');
    const error = await loadError(request());
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/^BTC_KRW\/1D\/2023\.parquet: not a readable Parquet file \(.+\)$/);
    expect([error.file, error.row]).toEqual([FILE, undefined]);
  });

  it('fails on a truncated file', async () => {
    const bytes = await writeCandleRows(dataRoot, FILE, validRows(200));
    await writeDataFile(dataRoot, FILE, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const error = await loadError(request());
    expect(error.code).toBe('corrupt_file');
    expect(error.message).toMatch(/^BTC_KRW\/1D\/2023\.parquet: not a readable Parquet file \(.*corrupt footer.*\)$/i);
  });

  it('fails with a typed error, not a crash, when a data page is damaged', async () => {
    const bytes = await writeCandleRows(dataRoot, FILE, validRows(365));
    const damaged = Uint8Array.from(bytes);
    damaged.fill(7, 8, Math.floor(bytes.length / 2));
    await writeDataFile(dataRoot, FILE, damaged);
    const error = await loadError(request());
    expect(['corrupt_file', 'invalid_data']).toContain(error.code);
    expect(error.message.startsWith(`${FILE}`)).toBe(true);
  });

  it('with a cache, decodes an unchanged file once and reads a changed one again', async () => {
    const cache = cachingMarketData(dataRoot);
    await writeCandleRows(dataRoot, FILE, validRows(30));
    const first = await loadCandles(request({ cache }));
    const second = await loadCandles(request({ cache }));
    expect(second.candles.close.buffer).toBe(first.candles.close.buffer);
    expect(second.files).toEqual(first.files);

    const rewritten = validRows(40);
    rewritten.close[0] = rewritten.high[0];
    await writeCandleRows(dataRoot, FILE, rewritten);
    const third = await loadCandles(request({ cache }));
    expect(third.candles.length).toBe(40);
    expect(third.candles.close[0]).toBe(rewritten.high[0]);
    expect(third.files[0].md5).not.toBe(first.files[0].md5);
  });

  it('with a cache, never keeps a bad file: once fixed it loads', async () => {
    const cache = cachingMarketData(dataRoot);
    const rows = validRows(30);
    rows.volume[17] = -1;
    await writeCandleRows(dataRoot, FILE, rows);
    expect((await loadError(request({ cache }))).row).toBe(17);
    expect((await loadError(request({ cache }))).row).toBe(17);
    rows.volume[17] = 1;
    await writeCandleRows(dataRoot, FILE, rows);
    expect((await loadCandles(request({ cache }))).candles.length).toBe(30);
  });

  it('treats a year folder without files as no data', async () => {
    await writeCandleRows(dataRoot, 'BTC_KRW/1H/2023.parquet', validRows(3));
    await rename(join(dataRoot, 'BTC_KRW/1H/2023.parquet'), join(dataRoot, 'BTC_KRW/1H/notes.parquet'));
    await writeCandleRows(dataRoot, 'BTC_KRW/1D/2023.parquet', validRows(3));
    const error = await loadError(request({ timeframe: '1h' }));
    expect(error.message).toBe('BTC_KRW has no 1h data; timeframes with data: 1d');
  });
});
