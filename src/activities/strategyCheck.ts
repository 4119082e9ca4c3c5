/**
 * The strategy a task or sweep names, as this worker loaded it (DESIGN.md section 14). The API recorded the version it
 * validated the request against; a worker that lacks the strategy or has another version of it fails the work
 * non-retryably (another attempt on this worker would meet the same code), naming both versions.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { RegisteredStrategy, StrategyRegistry } from '../engine/strategies';

export function checkedStrategy(
  strategies: StrategyRegistry,
  strategyId: string,
  apiVersion: string | undefined,
  workerId: string,
): RegisteredStrategy {
  const entry = strategies.get(strategyId);
  if (!entry) {
    const [failed] = strategies.unavailable(strategyId);
    const reason = failed ? `its plugin failed to load here: ${failed.error}` : `it is not in this worker's STRATEGIES_DIR`;
    throw ApplicationFailure.nonRetryable(
      `strategy ${strategyId} is not available on worker ${workerId}: ${reason}; load the same plugins in the API and every worker`,
      'StrategyUnavailable',
    );
  }
  // Absent in work started before versions were recorded: nothing to compare.
  if (apiVersion !== undefined && entry.version !== apiVersion) {
    throw ApplicationFailure.nonRetryable(
      `strategy version mismatch for ${strategyId}: the API validated this task against version ${apiVersion}, ` +
        `worker ${workerId} has version ${entry.version}${entry.file ? ` (${entry.file})` : ''}; ` +
        'deploy the same strategy files to the API and every worker, restart them, and submit the task again',
      'StrategyVersionMismatch',
      { api_version: apiVersion, worker_version: entry.version },
    );
  }
  return entry;
}
