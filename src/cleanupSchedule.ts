/** The Temporal Schedule that runs the cleanup sweep on CLEANUP_CRON; created idempotently at worker start. */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { CLEANUP_SCHEDULE_ID } from './contracts/task';

export async function ensureCleanupSchedule(client: Client, cron: string, taskQueue: string): Promise<'created' | 'updated'> {
  const spec = { cronExpressions: [cron] };
  try {
    await client.schedule.create({
      scheduleId: CLEANUP_SCHEDULE_ID,
      spec,
      action: { type: 'startWorkflow', workflowType: 'cleanupSweepWorkflow', args: [{}], taskQueue },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    // Already there: keep it in line with the configured cron and queue.
    await client.schedule.getHandle(CLEANUP_SCHEDULE_ID).update((previous) => ({
      ...previous,
      spec,
      action: { ...previous.action, type: 'startWorkflow', workflowType: 'cleanupSweepWorkflow', args: [{}], taskQueue },
    }));
    return 'updated';
  }
}
