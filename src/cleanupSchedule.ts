/** The Temporal Schedule that runs the cleanup sweep on CLEANUP_CRON; created or brought in line at worker start. */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import { CLEANUP_SCHEDULE_ID } from './contracts/task';
import { cleanupSweepWorkflow } from './workflows/cleanupWorkflows';

export async function ensureCleanupSchedule(client: Client, cron: string, taskQueue: string): Promise<'created' | 'updated'> {
  const spec = { cronExpressions: [cron] };
  const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType: cleanupSweepWorkflow, args: [{}], taskQueue };
  try {
    await client.schedule.create({ scheduleId: CLEANUP_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    // Already there: keep it in line with the configured cron and queue.
    await client.schedule.getHandle(CLEANUP_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  }
}
