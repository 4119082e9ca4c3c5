/**
 * Runs the cleanup sweep by hand: deletes every expired, unpinned task (directory and row).
 *   tsx scripts/cleanup.ts [--dry-run]
 * Uses DATABASE_URL, or the embedded PostgreSQL of a running `npm start`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { LocalBlobStore } from '../src/storage/blobStore';
import { sweepExpiredTasks } from '../src/storage/cleanup';
import { BacktestResultsRepository, createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL ?? EMBEDDED_DATABASE_URL);
  try {
    const report = await sweepExpiredTasks(
      { store: new LocalBlobStore(config.DATA_ROOT), repository: new BacktestResultsRepository(pool) },
      new Date(),
      values['dry-run'],
    );
    const verb = values['dry-run'] ? 'would delete' : 'deleted';
    console.log(`${report.expired.length} expired task(s); ${verb} ${values['dry-run'] ? report.expired.length : report.deleted.length}`);
    for (const taskId of values['dry-run'] ? report.expired : report.deleted) console.log(`  ${taskId}`);
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(`cleanup failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
