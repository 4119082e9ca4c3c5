/**
 * Restores a backup written by scripts/backup.ts, after checking every file against its checksum.
 *   tsx scripts/restore.ts --from DIR --data-root DIR --database-url URL [--force] [--pg-bin DIR]
 * Refuses a non-empty backtest_results table or data root unless --force (which empties the table and
 * replaces DATA_ROOT/tasks; other files under the data root are overwritten or kept).
 */
import { parseArgs } from 'node:util';
import { createPool } from '../src/storage/database';
import { restoreBackup } from '../src/storage/backup';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'data-root': { type: 'string' },
      'database-url': { type: 'string' },
      'pg-bin': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const missing = ['from', 'data-root', 'database-url'].filter((name) => !values[name as keyof typeof values]);
  if (missing.length > 0) throw new Error(`required: ${missing.map((name) => `--${name}`).join(', ')}`);
  const pool = createPool(values['database-url']!);
  try {
    const report = await restoreBackup({
      from: values.from!,
      dataRoot: values['data-root']!,
      pool,
      databaseUrl: values['database-url']!,
      force: values.force,
      pgBinDirectory: values['pg-bin'],
    });
    console.log(`restored ${report.rows} rows and ${report.files} files (${report.bytes} bytes) into ${values['data-root']}`);
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(`restore refused or failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
