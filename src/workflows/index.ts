/** Every workflow the worker registers. */
export { backtestWorkflow, progressQuery, symbolBatchWorkflow } from './backtestWorkflow';
export { cleanupSweepWorkflow, taskCleanupWorkflow } from './cleanupWorkflows';
export { backupWorkflow } from './backupWorkflow';
