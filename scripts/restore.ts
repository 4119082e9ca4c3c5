/** Restores a backup written by scripts/backup.ts, after checking every file against its checksum. */
import { createPool } from '../src/storage/database';
import { restoreBackup } from '../src/storage/backup';
import { runScript, UsageError } from './lib/script';

const USAGE = `
usage: npm run restore -- --from DIR --data-root DIR --database-url URL [--force] [--pg-bin DIR]

Checks every file of the backup in DIR against its checksum, then restores the rows into the database
and the files under the data root. Refuses a non-empty backtest_results table or data root unless
--force, which empties the table and replaces DATA_ROOT/tasks (other files under the data root are
overwritten or kept).
  --pg-bin DIR   where to look for pg_restore first
`;

const options = {
  from: { type: 'string' },
  'data-root': { type: 'string' },
  'database-url': { type: 'string' },
  'pg-bin': { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

runScript('restore', USAGE, { options }, async ({ values }) => {
  const missing = ['from', 'data-root', 'database-url'].filter((name) => !values[name as keyof typeof values]);
  if (missing.length > 0) throw new UsageError(`required: ${missing.map((name) => `--${name}`).join(', ')}`);
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
});
