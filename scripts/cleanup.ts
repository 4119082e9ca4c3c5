/** Runs the cleanup sweep by hand: deletes every expired, unpinned task (directory and row). */
import { loadConfig } from '../src/config';
import { LocalBlobStore } from '../src/storage/blobStore';
import { sweepExpiredTasks } from '../src/storage/cleanup';
import { BacktestResultsRepository, createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';
import { runScript } from './lib/script';

const USAGE = `
usage: npm run cleanup -- [--dry-run]

Deletes every expired, unpinned task: its directory under DATA_ROOT/tasks and its row. Uses DATABASE_URL,
else the embedded PostgreSQL of a running \`npm start\`. --dry-run lists what would go and deletes nothing.
`;

runScript('cleanup', USAGE, { options: { 'dry-run': { type: 'boolean', default: false } } }, async ({ values }) => {
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
});
