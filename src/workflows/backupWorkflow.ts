/**
 * The scheduled backup (BACKUP_CRON, DESIGN.md section 13): dump the database, copy the task and sweep
 * directories and the market data into `backups/<date>/` of the store, write the checksum manifest, then
 * prune by BACKUP_RETENTION. Every step is idempotent and resumes where it stopped, so the activities are
 * retried without a give-up count like every other one that touches the store or the database.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BackupTally, BackupWorkflowInput, BackupWorkflowResult } from '../contracts/backup';
import { UNTIL_IT_WORKS } from './retryPolicies';

/** Symbol folders per copying activity: a few activities for thousands of symbols, and a retry redoes little. */
const PREFIXES_PER_ACTIVITY = 50;

/** Long-running steps heartbeat as they copy; a worker that dies is noticed within a minute. */
const { startBackup, backupPrefixes } = proxyActivities<Activities>({
  ...UNTIL_IT_WORKS,
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '1 minute',
});

const { finishBackup, pruneBackups } = proxyActivities<Activities>({ ...UNTIL_IT_WORKS, startToCloseTimeout: '10 minutes' });

export async function backupWorkflow(input: BackupWorkflowInput = {}): Promise<BackupWorkflowResult> {
  // Workflow time is the start time recorded in the history: replays see the same date.
  const date = input.date ?? new Date().toISOString().slice(0, 10);
  const plan = await startBackup({ date });
  const total: BackupTally = { files: 0, bytes: 0, copied: 0, skipped: 0 };
  for (let start = 0; start < plan.prefixes.length; start += PREFIXES_PER_ACTIVITY) {
    const part = await backupPrefixes({ date, prefixes: plan.prefixes.slice(start, start + PREFIXES_PER_ACTIVITY) });
    for (const field of ['files', 'bytes', 'copied', 'skipped'] as const) total[field] += part[field];
  }
  const { manifest_files } = await finishBackup({ date });
  const { kept, removed } = await pruneBackups({ today: date });
  return { date, ...total, manifest_files, kept, removed };
}
