/** Cleanup activities: thin wrappers over storage/cleanup with logging. */
import { deleteTaskIfExpired, sweepExpiredTasks, type SweepReport } from '../storage/cleanup';
import type { ActivityDependencies } from './dependencies';

export function createCleanupActivities({ store, repository, logger }: ActivityDependencies) {
  return {
    async deleteExpiredTask({ task_id }: { task_id: string }): Promise<boolean> {
      const deleted = await deleteTaskIfExpired({ store, repository }, task_id, new Date());
      logger.info({ task_id, deleted }, deleted ? 'expired task deleted' : 'task kept (pinned, not expired or gone)');
      return deleted;
    },
    async sweepExpiredTasks({ dry_run }: { dry_run: boolean }): Promise<SweepReport> {
      const report = await sweepExpiredTasks({ store, repository }, new Date(), dry_run);
      logger.info({ expired: report.expired.length, deleted: report.deleted.length, dry_run }, 'cleanup sweep');
      return report;
    },
  };
}
