/** Every workflow the worker registers. */
export { backtestWorkflow, progressQuery, symbolBatchWorkflow } from './backtestWorkflow';
export { cleanupSweepWorkflow, sweepCleanupWorkflow, taskCleanupWorkflow } from './cleanupWorkflows';
export { sweepProgressQuery, sweepWorkflow } from './sweepWorkflow';
export { backupWorkflow } from './backupWorkflow';
