/** Imports the predecessor's result.json task directories into Parquet + PostgreSQL (DESIGN.md section 7). */
import { SingleBar } from 'cli-progress';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { createPool, runMigrations } from '../src/storage/database';
import {
  defaultMigrationBackupDir,
  formatMigrationReport,
  migrateLegacyResults,
  type MigrationProgress,
} from '../src/storage/legacy/migrateLegacy';
import { createStore } from '../src/services';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';
import { runScript, UsageError } from './lib/script';

const USAGE = `
usage: npm run migrate-json -- [--data-root DIR] [--database-url URL] [--tasks-dir DIR]
         [--dry-run] [--batch-size N] [--force] [--backup-dir DIR]

Converts each task directory holding a predecessor result.json into the manifest, the Parquet tables and
a backtest_results row. Results always go to DATA_ROOT/tasks/<task_id>/. Exits 1 when any task failed;
the report names each one and why.
  --tasks-dir DIR    where the result.json directories are (default DATA_ROOT/tasks)
  --dry-run          check and report, write nothing
  --batch-size N     tasks per database transaction (default 100)
  --force            import again what was imported, after copying the task's files to the backup dir
  --backup-dir DIR   where --force copies to (default DATA_ROOT/migration-backups/<timestamp>)
`;

const options = {
  'data-root': { type: 'string' },
  'database-url': { type: 'string' },
  'tasks-dir': { type: 'string' },
  'backup-dir': { type: 'string' },
  'batch-size': { type: 'string', default: '100' },
  'dry-run': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
} as const;

/** A bar on a terminal; a line per finished batch in a log. */
function progressReporter(): { update: (progress: MigrationProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: 'migrating [{bar}] {value}/{total} tasks, batch {batch}/{batches}', stream: process.stderr });
    let started = false;
    return {
      update: (progress) => {
        if (!started) bar.start(progress.total, 0, { batch: 1, batches: progress.batches });
        started = true;
        bar.update(progress.done, { batch: progress.batch, batches: progress.batches });
      },
      stop: () => {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  return {
    update: ({ done, total, batch, batches, batch_done }) => {
      if (batch_done) console.error(`batch ${batch}/${batches} done: ${done}/${total} tasks`);
    },
    stop: () => undefined,
  };
}

runScript('migrate-json', USAGE, { options }, async ({ values }) => {
  const config = loadConfig({ ...process.env, ...(values['data-root'] ? { DATA_ROOT: values['data-root'] } : {}) });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UsageError(`--batch-size: got ${values['batch-size']}, expected an integer >= 1`);

  const pool = createPool(values['database-url'] ?? config.DATABASE_URL ?? EMBEDDED_DATABASE_URL);
  const progress = progressReporter();
  try {
    // A dry run writes nothing, not even the schema.
    if (!values['dry-run']) await runMigrations(pool);
    const report = await migrateLegacyResults(
      { store: createStore(config), pool },
      {
        tasksDir: resolve(values['tasks-dir'] ?? join(config.DATA_ROOT, 'tasks')),
        backupDir: resolve(values['backup-dir'] ?? defaultMigrationBackupDir(config.DATA_ROOT)),
        dryRun: values['dry-run'],
        force: values.force,
        batchSize,
        compression: config.PARQUET_COMPRESSION,
        onProgress: progress.update,
      },
    );
    progress.stop(); // before the report, so the bar does not garble it
    console.log(formatMigrationReport(report));
    return report.failed.length === 0 ? 0 : 1;
  } finally {
    progress.stop();
    await pool.end();
  }
});
