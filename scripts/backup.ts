/**
 * Backs up the database rows, the task results and the market data into a new folder
 * (see src/storage/backup.ts for what goes in and how the snapshot stays consistent).
 *   tsx scripts/backup.ts --out DIR [--data-root DIR] [--database-url URL] [--pg-bin DIR] [--json-dump]
 * --pg-bin: where to look for pg_dump first; --json-dump: rows as JSON instead of pg_dump.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { createBackup } from '../src/storage/backup';
import { createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'data-root': { type: 'string' },
      'database-url': { type: 'string' },
      'pg-bin': { type: 'string' },
      'json-dump': { type: 'boolean', default: false },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
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
}

main().catch((error) => {
  console.error(`backup failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
