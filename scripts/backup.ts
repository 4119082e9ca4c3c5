/**
 * Backs up the database, the task and sweep directories and the market data into `backups/<date>/` of
 * the configured store (see src/storage/backup.ts), the same steps the scheduled backupWorkflow runs.
 */
import { loadConfig } from '../src/config';
import { createStore } from '../src/services';
import { runBackup } from '../src/storage/backup';
import { isBackupDate } from '../src/storage/backupRetention';
import { createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';
import { runScript, UsageError } from './lib/script';
import { closeStore } from './lib/storeOptions';

const USAGE = `
usage: npm run backup -- [--date YYYY-MM-DD] [--prune] [--database-url URL]

Writes every table of the database, the task and sweep directories and the market data into
backups/<date>/ of the store that STORAGE_PROVIDER (and DATA_ROOT or S3_*) configure, with a manifest of
MD5 checksums that restore checks. Run again for the same date, it resumes (or does nothing if finished).
  --date YYYY-MM-DD   the backup's name (default: today, UTC)
  --prune             then remove the backups that BACKUP_RETENTION (${'7d,3m,3y'} by default) no longer keeps
  --database-url URL  default: DATABASE_URL, else the embedded PostgreSQL of a running \`npm start\`
`;

const options = {
  date: { type: 'string' },
  prune: { type: 'boolean', default: false },
  'database-url': { type: 'string' },
} as const;

runScript('backup', USAGE, { options }, async ({ values }) => {
  const date = values.date ?? new Date().toISOString().slice(0, 10);
  if (!isBackupDate(date)) throw new UsageError(`--date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const config = loadConfig();
  const databaseUrl = values['database-url'] ?? config.DATABASE_URL ?? EMBEDDED_DATABASE_URL;
  const pool = createPool(databaseUrl);
  const store = createStore(config);
  try {
    const { manifest, tally, pruned } = await runBackup({
      store,
      pool,
      date,
      databaseUrl,
      retention: values.prune ? config.BACKUP_RETENTION : undefined,
    });
    const rows = manifest.database.tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`backup ${date} in ${store.description}/backups/${date}`);
    console.log(
      `  database: ${manifest.database.tables.length} tables, ${rows} rows (${manifest.database.tables.map((t) => t.table).join(', ')})`,
    );
    console.log(
      `  files: ${manifest.files.length} (${tally.copied} copied, ${tally.skipped} already there, ${tally.bytes} bytes this run)`,
    );
    for (const [what, ids] of Object.entries(manifest.consistency)) if (ids.length > 0) console.log(`  ${what}: ${ids.join(', ')}`);
    if (pruned) console.log(`  kept: ${pruned.kept.join(', ') || 'none'}; removed: ${pruned.removed.join(', ') || 'none'}`);
  } finally {
    closeStore(store);
    await pool.end();
  }
});
