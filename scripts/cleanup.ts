/** Runs the cleanup sweep by hand: deletes every expired, unpinned task (directory and row). */
import { loadConfig } from '../src/config';
import { sweepExpiredTasks } from '../src/storage/cleanup';
import { createStore } from '../src/services';
import { BacktestResultsRepository } from '../src/storage/backtestResults';
import { ParameterSweepsRepository } from '../src/storage/parameterSweeps';
import { createPool } from '../src/storage/database';
import { EMBEDDED_DATABASE_URL } from './lib/devServices';
import { runScript } from './lib/script';

const USAGE = `
usage: npm run cleanup -- [--dry-run]

Deletes every expired, unpinned task: its directory in the store (tasks/) and its row, and expired task
directories that have no row. Uses DATABASE_URL,
else the embedded PostgreSQL of a running \`npm start\`. --dry-run lists what would go and deletes nothing.
`;

runScript('cleanup', USAGE, { options: { 'dry-run': { type: 'boolean', default: false } } }, async ({ values }) => {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL ?? EMBEDDED_DATABASE_URL);
  try {
    const report = await sweepExpiredTasks(
      { store: createStore(config), repository: new BacktestResultsRepository(pool), sweeps: new ParameterSweepsRepository(pool) },
      new Date(),
      { completed: config.TASK_RESULT_TTL_DAYS, failed: config.FAILED_TASK_TTL_DAYS },
      values['dry-run'],
    );
    const verb = values['dry-run'] ? 'would delete' : 'deleted';
    for (const [kind, expired, deleted] of [
      ['task', report.expired, report.deleted],
      ['parameter sweep', report.sweeps_expired, report.sweeps_deleted],
    ] as const) {
      const named = values['dry-run'] ? expired : deleted;
      console.log(`${expired.length} expired ${kind}(s); ${verb} ${named.length}`);
      for (const id of named) console.log(`  ${id}`);
    }
  } finally {
    await pool.end();
  }
});
