/**
 * Result cleanup. Each finished task gets a taskCleanupWorkflow that sleeps (durable timer) until the
 * task expires and then deletes it unless pinned; the CLEANUP_CRON schedule runs cleanupSweepWorkflow,
 * which deletes every expired, unpinned task (it also catches tasks unpinned after their own timer fired).
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SweepReport } from '../storage/cleanup';

const { deleteExpiredTask, sweepExpiredTasks } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function taskCleanupWorkflow({ task_id, expires_at }: { task_id: string; expires_at: string }): Promise<boolean> {
  const wait = Date.parse(expires_at) - Date.now();
  if (wait > 0) await sleep(wait);
  return deleteExpiredTask({ task_id });
}

export async function cleanupSweepWorkflow({ dry_run = false }: { dry_run?: boolean } = {}): Promise<SweepReport> {
  return sweepExpiredTasks({ dry_run });
}
