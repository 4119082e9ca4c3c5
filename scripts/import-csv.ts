/**
 * Imports an OHLCV CSV file into the market-data layout, split into UTC year files.
 *   tsx scripts/import-csv.ts --symbol BTC_KRW --timeframe 1h [--data-root DIR] [--force] FILE.csv
 * Header row required: timestamp, open, high, low, close, volume in any order (other columns ignored);
 * timestamps ISO 8601 (UTC unless a zone is given), epoch seconds or epoch milliseconds.
 * Candles merge into existing year files; a stored candle with different values stops the import
 * (nothing is written) unless --force, which replaces it with the CSV's.
 */
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../src/config';
import { importCsv } from '../src/data/csvImport';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      symbol: { type: 'string' },
      timeframe: { type: 'string' },
      'data-root': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  if (!values.symbol || !values.timeframe || positionals.length !== 1) {
    throw new Error('usage: tsx scripts/import-csv.ts --symbol BTC_KRW --timeframe 1h [--data-root DIR] [--force] FILE.csv');
  }
  const dataRoot = values['data-root'] ?? loadConfig().DATA_ROOT;
  const progress = new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} MB', hideCursor: true });
  const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
  let started = false;
  let report;
  try {
    report = await importCsv({
      dataRoot,
      csvPath: positionals[0],
      symbol: values.symbol.toUpperCase().replace('/', '_'),
      timeframe: values.timeframe.toLowerCase(),
      force: values.force,
      onProgress: (bytesRead, totalBytes) => {
        if (!started) progress.start(megabytes(totalBytes), 0);
        started = true;
        progress.update(megabytes(bytesRead));
      },
    });
  } finally {
    progress.stop();
  }
  console.log(`${report.rows} rows read (timestamps: ${report.timestampFormat})`);
  for (const file of report.files) {
    console.log(`  ${file.path}: ${file.candles} candles (${file.added} added, ${file.replaced} replaced)`);
  }
}

main().catch((error) => {
  console.error(`import-csv failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
