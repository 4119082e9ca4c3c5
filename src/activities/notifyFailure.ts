/** Optional failure notice: when FAILURE_WEBHOOK_URL is set, a failed task POSTs a small JSON to it (retried). */
import type { FailureNotice } from '../contracts/task';
import type { ActivityDependencies } from './dependencies';

const WEBHOOK_TIMEOUT_MS = 10_000;

export function createNotifyFailure({ config, logger }: ActivityDependencies) {
  return async function notifyFailure(notice: FailureNotice): Promise<boolean> {
    const url = config.FAILURE_WEBHOOK_URL;
    if (!url) return false;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'backtest.failed', ...notice }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    // A non-2xx answer is retried by Temporal like any other error.
    if (!response.ok) throw new Error(`failure webhook answered ${response.status} ${response.statusText}`);
    logger.info({ task_id: notice.task_id }, 'failure notice sent');
    return true;
  };
}
