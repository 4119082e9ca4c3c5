/**
 * Result cleanup. Each finished task gets a taskCleanupWorkflow that sleeps (durable timer) until the
 * task expires and then deletes it unless pinned; the CLEANUP_CRON schedule runs cleanupSweepWorkflow,
 * which deletes every expired, unpinned task (it also catches tasks unpinned after their own timer fired,
 * and task directories whose row was never written).
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CleanupReport } from '../contracts/cleanup';
import { UNTIL_IT_WORKS } from './retryPolicies';

const { deleteExpiredTask, deleteExpiredSweep, sweepExpiredTasks } = proxyActivities<Activities>({
  ...UNTIL_IT_WORKS,
  startToCloseTimeout: '10 minutes',
});

export async function taskCleanupWorkflow({ task_id, expires_at }: { task_id: string; expires_at: string }): Promise<boolean> {
  const wait = Date.parse(expires_at) - Date.now();
  if (wait > 0) await sleep(wait);
  return deleteExpiredTask({ task_id });
}

/** A parameter sweep's own cleanup timer: deletes it when it expires, unless pinned. */
export async function sweepCleanupWorkflow({ sweep_id, expires_at }: { sweep_id: string; expires_at: string }): Promise<boolean> {
  const wait = Date.parse(expires_at) - Date.now();
  if (wait > 0) await sleep(wait);
  return deleteExpiredSweep({ sweep_id });
}

export async function cleanupSweepWorkflow({ dry_run = false }: { dry_run?: boolean } = {}): Promise<CleanupReport> {
  return sweepExpiredTasks({ dry_run });
}
