/**
 * Backs up the database rows, the task results and the market data into a new folder
 * (see src/storage/backup.ts for what goes in and how the snapshot stays consistent).
 */
import { loadConfig } from '../src/config';
import { createBackup } from '../src/storage/backup';
import { createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';
import { runScript, UsageError } from './lib/script';

const USAGE = `
usage: npm run backup -- --out DIR [--data-root DIR] [--database-url URL] [--pg-bin DIR] [--json-dump]

Writes the backtest_results rows, the task results and the market data into the new folder DIR, with a
manifest of MD5 checksums that restore checks. --data-root defaults to DATA_ROOT, --database-url to
DATABASE_URL, else the embedded PostgreSQL of a running \`npm start\`.
  --pg-bin DIR   where to look for pg_dump first (its major version must match the server's)
  --json-dump    dump the rows as JSON instead of with pg_dump
`;

const options = {
  out: { type: 'string' },
  'data-root': { type: 'string' },
  'database-url': { type: 'string' },
  'pg-bin': { type: 'string' },
  'json-dump': { type: 'boolean', default: false },
} as const;

runScript('backup', USAGE, { options }, async ({ values }) => {
  if (!values.out) throw new UsageError('--out DIR is required');
  const config = loadConfig({ ...process.env, ...(values['data-root'] ? { DATA_ROOT: values['data-root'] } : {}) });
  const databaseUrl = values['database-url'] ?? config.DATABASE_URL ?? EMBEDDED_DATABASE_URL;
  const pool = createPool(databaseUrl);
  try {
    const manifest = await createBackup({
      pool,
      databaseUrl,
      dataRoot: config.DATA_ROOT,
      out: values.out,
      dumpFormat: values['json-dump'] ? 'json' : 'auto',
      pgBinDirectory: values['pg-bin'],
    });
    const { database_dump: dump, files, consistency } = manifest;
    const bytes = files.reduce((sum, file) => sum + file.size_bytes, 0);
    console.log(`backup written to ${values.out}`);
    console.log(`  database: ${dump.path} (${dump.format}${dump.tool ? `, ${dump.tool}` : ''}), ${dump.rows.backtest_results} rows`);
    console.log(`  files: ${files.length} (${bytes} bytes)`);
    for (const [what, ids] of Object.entries(consistency)) if (ids.length > 0) console.log(`  ${what}: ${ids.join(', ')}`);
  } finally {
    await pool.end();
  }
});
