/** Imports an OHLCV CSV file into the market-data layout, split into UTC year files. */
import { SingleBar } from 'cli-progress';
import { loadConfig } from '../src/config';
import { importCsv } from '../src/data/csvImport';
import { createStore } from '../src/services';
import { runScript, UsageError } from './lib/script';

const USAGE = `
usage: npm run import-csv -- --symbol BTC_KRW --timeframe 1h [--data-root DIR] [--force] FILE.csv

Imports FILE.csv into DIR/<SYMBOL>/<TIMEFRAME>/<YEAR>.parquet (DIR defaults to DATA_ROOT, else ./data).
The header row must name timestamp, open, high, low, close and volume, in any order; other columns are
ignored. Timestamps: ISO 8601 (UTC unless a zone is given), epoch seconds or epoch milliseconds.
Candles merge into existing year files. A stored candle with different values stops the import with
nothing written, unless --force, which replaces it with the CSV's.
`;

const options = {
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  'data-root': { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

runScript('import-csv', USAGE, { allowPositionals: true, options }, async ({ values, positionals }) => {
  if (!values.symbol || !values.timeframe || positionals.length !== 1) {
    throw new UsageError('--symbol, --timeframe and one CSV file are required');
  }
  const config = loadConfig();
  const store = createStore({ ...config, DATA_ROOT: values['data-root'] ?? config.DATA_ROOT });
  const progress = new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} MB', hideCursor: true });
  const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
  let started = false;
  let report;
  try {
    report = await importCsv({
      store,
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
});
