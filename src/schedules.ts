/**
 * The Temporal Schedules of the platform, created or brought in line with the configuration at worker
 * start: the cleanup sweep on CLEANUP_CRON and the backup on BACKUP_CRON.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import { BACKUP_SCHEDULE_ID, CLEANUP_SCHEDULE_ID } from './contracts/task';
import { backupWorkflow } from './workflows/backupWorkflow';
import { cleanupSweepWorkflow } from './workflows/cleanupWorkflows';

export type ScheduleOutcome = 'created' | 'updated';

/** Creates the schedule, or, when it exists, gives it this cron and action (a changed cron or queue takes effect). */
async function ensureSchedule(client: Client, scheduleId: string, cron: string, action: ScheduleOptionsAction): Promise<ScheduleOutcome> {
  const spec = { cronExpressions: [cron] };
  try {
    // Skip: a run still going when the next is due (a long backup) is not doubled.
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  }
}

export function ensureCleanupSchedule(client: Client, cron: string, taskQueue: string): Promise<ScheduleOutcome> {
  return ensureSchedule(client, CLEANUP_SCHEDULE_ID, cron, {
    type: 'startWorkflow',
    workflowType: cleanupSweepWorkflow,
    args: [{}],
    taskQueue,
  });
}

/** The backup runs with no date: it takes the UTC date of its start (see backupWorkflow). */
export function ensureBackupSchedule(client: Client, cron: string, taskQueue: string): Promise<ScheduleOutcome> {
  return ensureSchedule(client, BACKUP_SCHEDULE_ID, cron, { type: 'startWorkflow', workflowType: backupWorkflow, args: [{}], taskQueue });
}
