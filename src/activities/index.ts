/** All activities of the worker, bound to their dependencies. Workflows import only the type. */
import { createBackupActivities } from './backup';
import { createCleanupActivities } from './cleanup';
import type { ActivityDependencies } from './dependencies';
import { createEvaluateSweepChunk } from './evaluateSweepChunk';
import { createNotifyFailure } from './notifyFailure';
import { createPersistSweep } from './persistSweep';
import { createPlanSweep } from './planSweep';
import { createRecordTaskActivities } from './recordTask';
import { createRunOutOfSample } from './runOutOfSample';
import { createRunSymbolBacktest } from './runSymbolBacktest';
import { createSweepContexts } from './sweepContext';

export type { ActivityDependencies } from './dependencies';

export function createActivities(dependencies: ActivityDependencies) {
  const sweepContext = createSweepContexts(dependencies.store, dependencies.strategies, dependencies.workerId);
  return {
    runSymbolBacktest: createRunSymbolBacktest(dependencies),
    ...createRecordTaskActivities(dependencies),
    ...createCleanupActivities(dependencies),
    ...createBackupActivities(dependencies),
    notifyFailure: createNotifyFailure(dependencies),
    planSweep: createPlanSweep(dependencies),
    evaluateSweepChunk: createEvaluateSweepChunk(dependencies, sweepContext),
    runOutOfSample: createRunOutOfSample(dependencies, sweepContext),
    ...createPersistSweep(dependencies, sweepContext),
  };
}

export type Activities = ReturnType<typeof createActivities>;
