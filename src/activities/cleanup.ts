/** Cleanup activities: thin wrappers over storage/cleanup with logging. */
import type { CleanupReport } from '../contracts/cleanup';
import { deleteSweepIfExpired, deleteTaskIfExpired, sweepExpiredTasks } from '../storage/cleanup';
import type { ActivityDependencies } from './dependencies';

export function createCleanupActivities({ config, store, repository, sweeps, logger }: ActivityDependencies) {
  const retention = { completed: config.TASK_RESULT_TTL_DAYS, failed: config.FAILED_TASK_TTL_DAYS };
  return {
    async deleteExpiredTask({ task_id }: { task_id: string }): Promise<boolean> {
      const deleted = await deleteTaskIfExpired({ store, repository, sweeps }, task_id, new Date());
      logger.info({ task_id, deleted }, deleted ? 'expired task deleted' : 'task kept (pinned, not expired or gone)');
      return deleted;
    },
    async deleteExpiredSweep({ sweep_id }: { sweep_id: string }): Promise<boolean> {
      const deleted = await deleteSweepIfExpired({ store, repository, sweeps }, sweep_id, new Date());
      logger.info({ sweep_id, deleted }, deleted ? 'expired sweep deleted' : 'sweep kept (pinned, not expired or gone)');
      return deleted;
    },
    async sweepExpiredTasks({ dry_run }: { dry_run: boolean }): Promise<CleanupReport> {
      const report = await sweepExpiredTasks({ store, repository, sweeps }, new Date(), retention, dry_run);
      logger.info(
        { expired: report.expired.length, deleted: report.deleted.length, without_row: report.without_row.length, dry_run },
        'cleanup sweep',
      );
      return report;
    },
  };
}
