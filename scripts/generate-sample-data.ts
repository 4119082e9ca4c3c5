/** Writes deterministic sample OHLCV data into the market-data layout (DESIGN.md section 4). */
import { loadConfig } from '../src/config';
import { DEFAULT_SAMPLE_SEED, writeSampleData } from '../src/data/sampleData';
import { createStore } from '../src/services';
import { runScript, UsageError } from './lib/script';

const USAGE = `
usage: npm run generate-sample-data -- [--data-root DIR] [--seed N] [--force]

Writes sample candles for the sample symbols and timeframes under DIR (default DATA_ROOT, else ./data).
The same seed (default ${DEFAULT_SAMPLE_SEED}) always writes the same bytes. Existing year files are kept
unless --force.
`;

const options = {
  'data-root': { type: 'string' },
  seed: { type: 'string', default: String(DEFAULT_SAMPLE_SEED) },
  force: { type: 'boolean', default: false },
} as const;

runScript('generate-sample-data', USAGE, { options }, async ({ values }) => {
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer; got ${values.seed}`);
  const config = loadConfig();
  const store = createStore({ ...config, DATA_ROOT: values['data-root'] ?? config.DATA_ROOT });
  const report = await writeSampleData({ store, seed, force: values.force });
  for (const file of report.written) console.log(`wrote ${file.path} (${file.candles} candles)`);
  if (report.skipped.length > 0) console.log(`kept ${report.skipped.length} existing file(s); --force rewrites them`);
  console.log(`${report.written.length} file(s) written to ${store.description} (seed ${seed})`);
});
