/**
 * OHLCV read benchmark (`npm run bench:read`; DESIGN.md section 10: >= 5M candles/s from Parquet).
 * Times `loadCandles` (read from the local store, decode, validate every row, slice the range) on sample year
 * files as the platform writes them: hourly (8,760 rows a file) and one-minute (525,600 rows a file), with no
 * memory for decoded files; then the same reads through a worker's cache of decoded files (a parameter sweep
 * reading the same data again).
 * Prints `<case>: <n> candles/s`, the median of round-robin repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarketData } from '../src/data/marketData';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore } from '../src/storage/providers';
import { candlesPerSecond, measureRoundRobin, median, type BenchCase } from './lib/bench';

const SYMBOL = 'BTC_KRW';

async function main(): Promise<void> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'bench-market-data-'));
  try {
    const store = new LocalBlobStore(dataRoot);
    await writeSampleData({ store, symbols: [SYMBOL], timeframes: ['1h', '1m'], startDate: '2023-01-01', endDate: '2024-12-31' });
    const uncached = new MarketData({ store, cacheBytes: 0 });
    const cached = new MarketData({ store, cacheBytes: 1e9 });
    const read =
      (timeframe: string, endDate: string, marketData = uncached) =>
      async () =>
        (await marketData.loadCandles({ symbol: SYMBOL, timeframe, startDate: '2023-01-01', endDate })).candles.length;
    const cases: BenchCase[] = [
      { label: 'read 1h, 1 year file', batch: 10, run: read('1h', '2023-12-31') },
      { label: 'read 1h, 2 year files', batch: 5, run: read('1h', '2024-12-31') },
      { label: 'read 1m, 1 year file', batch: 1, run: read('1m', '2023-12-31') },
      { label: 'read 1m, 2 year files', batch: 1, run: read('1m', '2024-12-31') },
      { label: 'cached read 1h, 2 year files', batch: 50, run: read('1h', '2024-12-31', cached) },
      { label: 'cached read 1m, 2 year files', batch: 10, run: read('1m', '2024-12-31', cached) },
    ];
    const timings = await measureRoundRobin(cases, 3000, 9);
    cases.forEach((benchCase, index) => {
      const { wallMs, cpuMs, result } = timings[index];
      const candles = result!;
      console.log(`${benchCase.label}: ${candlesPerSecond(candles, median(wallMs))} candles/s`);
      console.log(
        `  # ${candles} candles, ${median(wallMs).toFixed(1)} ms, median of ${wallMs.length}; by CPU time ${candlesPerSecond(candles, median(cpuMs))} candles/s`,
      );
    });
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
