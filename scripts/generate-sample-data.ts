/**
 * Writes deterministic sample OHLCV data into the market-data layout (DESIGN.md section 4).
 *   tsx scripts/generate-sample-data.ts [--data-root DIR] [--seed N] [--force]
 * DIR defaults to DATA_ROOT (else ./data). Existing year files are kept unless --force; the same seed
 * always writes the same bytes.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { DEFAULT_SAMPLE_SEED, writeSampleData } from '../src/data/sampleData';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-root': { type: 'string' },
      seed: { type: 'string', default: String(DEFAULT_SAMPLE_SEED) },
      force: { type: 'boolean', default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer; got ${values.seed}`);
  const dataRoot = values['data-root'] ?? loadConfig().DATA_ROOT;
  const report = await writeSampleData({ dataRoot, seed, force: values.force });
  for (const file of report.written) console.log(`wrote ${file.path} (${file.candles} candles)`);
  if (report.skipped.length > 0) console.log(`kept ${report.skipped.length} existing file(s); --force rewrites them`);
  console.log(`${report.written.length} file(s) written under ${dataRoot} (seed ${seed})`);
}

main().catch((error) => {
  console.error(`generate-sample-data failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
