/** Restores a backup from `backups/<date>/` of a store, after checking every file against its checksum. */
import { loadConfig } from '../src/config';
import { restoreBackup } from '../src/storage/backup';
import { isBackupDate } from '../src/storage/backupRetention';
import { createPool } from '../src/storage/database';
import { runScript, UsageError } from './lib/script';
import { closeStore, STORE_OPTIONS_USAGE, storeFromOptions, storeOptions } from './lib/storeOptions';

const USAGE = `
usage: npm run restore -- --date YYYY-MM-DD [--database-url URL] [--force] [store options]

Checks every file of backups/<date>/ against its checksum, then restores the files into the target store
and the rows of every table into the database (its schema created by the migrations). Refuses a target
store that holds results or market data, or tables with rows, unless --force, which empties the tables
and replaces tasks/ and sweeps/ (market data files are overwritten). The target database must exist.
  --database-url URL   the target database (default: DATABASE_URL)
${STORE_OPTIONS_USAGE('from', 'where the backup is')}
${STORE_OPTIONS_USAGE('to', 'the store to restore into')}
`;

const options = {
  date: { type: 'string' },
  'database-url': { type: 'string' },
  force: { type: 'boolean', default: false },
  ...storeOptions('from'),
  ...storeOptions('to'),
} as const;

runScript('restore', USAGE, { options }, async ({ values }) => {
  if (!values.date || !isBackupDate(values.date)) throw new UsageError('--date YYYY-MM-DD is required');
  const databaseUrl = values['database-url'] ?? loadConfig().DATABASE_URL;
  if (!databaseUrl) throw new UsageError('--database-url (or DATABASE_URL) is required');
  const from = storeFromOptions('from', values);
  const to = storeFromOptions('to', values);
  const pool = createPool(databaseUrl);
  try {
    const report = await restoreBackup({ from, date: values.date, to, pool, force: values.force });
    console.log(
      `restored backup ${values.date}: ${report.rows} rows in ${report.tables} tables, ${report.files} files (${report.bytes} bytes) into ${to.description}`,
    );
  } finally {
    closeStore(from);
    closeStore(to);
    await pool.end();
  }
});
