/** All activities of the worker, bound to their dependencies. Workflows import only the type. */
import { createBackupActivities } from './backup';
import { createCleanupActivities } from './cleanup';
import type { ActivityDependencies } from './dependencies';
import { createNotifyFailure } from './notifyFailure';
import { createRecordTaskActivities } from './recordTask';
import { createRunSymbolBacktest } from './runSymbolBacktest';

export type { ActivityDependencies } from './dependencies';

export function createActivities(dependencies: ActivityDependencies) {
  return {
    runSymbolBacktest: createRunSymbolBacktest(dependencies),
    ...createRecordTaskActivities(dependencies),
    ...createCleanupActivities(dependencies),
    ...createBackupActivities(dependencies),
    notifyFailure: createNotifyFailure(dependencies),
  };
}

export type Activities = ReturnType<typeof createActivities>;
