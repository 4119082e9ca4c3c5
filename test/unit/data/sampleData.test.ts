import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MarketData } from '../../../src/data/marketData';
import { generateSampleCandles, mulberry32, writeSampleData } from '../../../src/data/sampleData';
import { LocalBlobStore } from '../../../src/storage/providers';
import { builtinStrategies } from '../../../src/engine/strategies';
import type { Candles } from '../../../src/engine/types';
import { createDataRoot, removeDataRoot } from './marketDataFixtures';

function lagOneAutocorrelation(values: number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  let covariance = 0;
  let variance = 0;
  for (let index = 0; index < values.length; index++) {
    variance += (values[index] - mean) ** 2;
    if (index > 0) covariance += (values[index] - mean) * (values[index - 1] - mean);
  }
  return covariance / variance;
}

function signalCount(candles: Candles, strategyId: keyof typeof builtinStrategies): number {
  const strategy = builtinStrategies[strategyId];
  return strategy.signalsInto(candles, strategy.paramsSchema.parse({}) as never, new Uint8Array(candles.length));
}

describe('sample data', () => {
  let dataRoots: string[] = [];
  const newRoot = async () => {
    const root = await createDataRoot();
    dataRoots.push(root);
    return root;
  };
  afterEach(async () => {
    await Promise.all(dataRoots.map(removeDataRoot));
    dataRoots = [];
  });

  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const options = { symbols: ['BTC_KRW'], timeframes: ['1d' as const], startDate: '2022-06-01', endDate: '2023-05-31' };
    const [first, second, third] = [await newRoot(), await newRoot(), await newRoot()];
    const report = await writeSampleData({ ...options, store: new LocalBlobStore(first), seed: 11 });
    await writeSampleData({ ...options, store: new LocalBlobStore(second), seed: 11 });
    await writeSampleData({ ...options, store: new LocalBlobStore(third), seed: 12 });
    expect(report.written).toEqual([
      { path: 'BTC_KRW/1D/2022.parquet', candles: 214 },
      { path: 'BTC_KRW/1D/2023.parquet', candles: 151 },
    ]);
    for (const { path } of report.written) {
      const bytes = await readFile(join(first, path));
      expect(Buffer.compare(bytes, await readFile(join(second, path)))).toBe(0);
      expect(Buffer.compare(bytes, await readFile(join(third, path)))).not.toBe(0);
    }
  });

  it('writes only missing files unless forced, continuing the same series', async () => {
    const dataRoot = await newRoot();
    const options = { store: new LocalBlobStore(dataRoot), symbols: ['ETH_KRW'], timeframes: ['1d' as const], startDate: '2021-01-01', endDate: '2022-12-31', seed: 5 };
    await writeSampleData(options);
    const path = join(dataRoot, 'ETH_KRW/1D/2022.parquet');
    const original = await readFile(path);
    await rm(path);
    const again = await writeSampleData(options);
    expect(again).toEqual({ written: [{ path: 'ETH_KRW/1D/2022.parquet', candles: 365 }], skipped: ['ETH_KRW/1D/2021.parquet'] });
    expect(Buffer.compare(await readFile(path), original)).toBe(0);
    const modified = (await stat(path)).mtimeMs;
    expect((await writeSampleData({ ...options, force: true })).written).toHaveLength(2);
    expect((await stat(path)).mtimeMs).toBeGreaterThanOrEqual(modified);
  });

  it('writes valid candles that the loader reads back unchanged', async () => {
    const dataRoot = await newRoot();
    await writeSampleData({ store: new LocalBlobStore(dataRoot), symbols: ['XRP_KRW'], timeframes: ['1h'], startDate: '2023-12-30', endDate: '2024-01-02', seed: 9 });
    const generated = generateSampleCandles({ symbol: 'XRP_KRW', timeframe: '1h', startDate: '2023-12-30', endDate: '2024-01-02', seed: 9 });
    const { candles } = await new MarketData({ store: new LocalBlobStore(dataRoot), cacheBytes: 0 }).loadCandles({ symbol: 'XRP_KRW', timeframe: '1h', startDate: '2023-12-30', endDate: '2024-01-02' });
    expect(candles.length).toBe(96);
    for (const column of ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Array.from(candles[column])).toEqual(Array.from(generated[column]));
    }
  });

  it.each([
    ['BTC_KRW', 50_000_000],
    ['ETH_KRW', 3_000_000],
    ['XRP_KRW', 700],
  ])('starts %s near its real price level of %d KRW', (symbol, level) => {
    const candles = generateSampleCandles({ symbol, timeframe: '1d', startDate: '2021-01-01', endDate: '2021-01-31', seed: 1 });
    expect(candles.open[0]).toBeGreaterThan(level * 0.9);
    expect(candles.open[0]).toBeLessThan(level * 1.1);
  });

  it.each(['1d', '1h'] as const)('makes both strategies fire on a year of %s data of every default symbol', (timeframe) => {
    for (const symbol of ['BTC_KRW', 'ETH_KRW', 'XRP_KRW', 'SOL_KRW', 'DOGE_KRW']) {
      const candles = generateSampleCandles({ symbol, timeframe, startDate: '2024-01-01', endDate: '2024-12-31', seed: 1 });
      expect(signalCount(candles, 'volume_zone_breakout')).toBeGreaterThan(10);
      expect(signalCount(candles, 'volume_long_candle')).toBeGreaterThan(10);
    }
  });

  it('clusters volatility and volume: both are autocorrelated from bar to bar', () => {
    const candles = generateSampleCandles({ symbol: 'BTC_KRW', timeframe: '1h', startDate: '2021-01-01', endDate: '2021-12-31', seed: 1 });
    const absoluteReturns = Array.from({ length: candles.length }, (_, row) => Math.abs(Math.log(candles.close[row] / candles.open[row])));
    expect(lagOneAutocorrelation(absoluteReturns)).toBeGreaterThan(0.1);
    expect(lagOneAutocorrelation(Array.from(candles.volume, Math.log))).toBeGreaterThan(0.5);
  });

  it('draws the same numbers from mulberry32 for the same seed', () => {
    const [a, b] = [mulberry32(42), mulberry32(42)];
    const draws = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(draws);
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
