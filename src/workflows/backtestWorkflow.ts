/**
 * A backtest as a durable business process: record the start, run every symbol (bounded parallelism,
 * retries, heartbeats), persist the result, and record a failure if the task cannot finish.
 * Deterministic: only @temporalio/workflow and types; bulk data stays in files.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  defineQuery,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type {
  BacktestWorkflowInput,
  BacktestWorkflowResult,
  FailureNotice,
  SymbolOutcome,
  SymbolBacktestSpec,
  SymbolProgress,
  TaskProgress,
  TaskStatus,
} from '../contracts/task';
import { SYMBOLS_PER_BATCH, symbolBatchWorkflowId, TASK_FAILURE_TYPES, taskCleanupWorkflowId } from '../contracts/task';
import { taskCleanupWorkflow } from './cleanupWorkflows';
import { UNTIL_IT_WORKS } from './retryPolicies';

/** Answered by a task's workflow and by each of its batch children, for their own symbols. */
export const progressQuery = defineQuery<TaskProgress>('progress');

function answerProgressQueries(status: () => TaskStatus, symbols: SymbolProgress[]): void {
  setHandler(progressQuery, () => ({
    status: status(),
    progress: symbols.reduce((sum, symbol) => sum + symbol.progress, 0) / symbols.length,
    symbols,
  }));
}

const { runSymbolBacktest } = proxyActivities<Activities>({
  ...UNTIL_IT_WORKS,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '5 seconds',
  // On cancellation, wait until running symbols have stopped, so their staging files can be removed after.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const { persistResult, recordTaskFailure } = proxyActivities<Activities>({ ...UNTIL_IT_WORKS, startToCloseTimeout: '5 minutes' });

/** One quick insert: a local activity saves a round trip through the server at the start of every task. */
const { recordTaskStart } = proxyLocalActivities<Activities>({ ...UNTIL_IT_WORKS, startToCloseTimeout: '30 seconds' });

const { notifyFailure } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** The notice is best effort: a webhook that stays down must not change the task's outcome. */
async function sendFailureNotice(notice: FailureNotice): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() => notifyFailure(notice));
  } catch {
    // already retried; the task's own status is what counts
  }
}

/** The reason a person can act on, without Temporal's wrapping ("Activity task failed", "Child Workflow execution failed"). */
function failureMessage(error: unknown): string {
  let reason = error;
  while ((reason instanceof ActivityFailure || reason instanceof ChildWorkflowFailure) && reason.cause) reason = reason.cause;
  return reason instanceof Error ? reason.message : String(reason);
}

/** A symbol's failure that is the worker's, not the symbol's (TASK_FAILURE_TYPES): the whole task fails with it. */
function failsTheTask(error: unknown): boolean {
  if (!(error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)) return false;
  return (TASK_FAILURE_TYPES as readonly string[]).includes(error.cause.type ?? '');
}

/**
 * The task's own cleanup timer; it outlives this workflow, and starts even when the task was cancelled.
 * One may already run when an operator reset the workflow and it ended again: that timer stands (the
 * scheduled sweep catches a later expiry).
 */
async function scheduleCleanup(taskId: string, expiresAt: string): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() =>
      startChild(taskCleanupWorkflow, {
        workflowId: taskCleanupWorkflowId(taskId),
        args: [{ task_id: taskId, expires_at: expiresAt }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      }),
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/**
 * Runs symbols with at most `maxParallel` activities in flight, updating each entry's state as it goes.
 * A failed symbol is recorded with its reason; cancellation propagates.
 */
async function runSymbols(
  taskId: string,
  spec: SymbolBacktestSpec,
  entries: SymbolProgress[],
  maxParallel: number,
): Promise<SymbolOutcome[]> {
  const outcomes: SymbolOutcome[] = new Array(entries.length);
  let next = 0;
  // Each lane takes the next symbol until none is left, or until a failure has ended the task.
  const lane = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index];
      entry.state = 'running';
      try {
        const result = await runSymbolBacktest({ task_id: taskId, symbol: entry.symbol, spec });
        outcomes[index] = { symbol: entry.symbol, state: 'completed', result };
      } catch (error) {
        if (isCancellation(error)) throw error;
        outcomes[index] = { symbol: entry.symbol, state: 'failed', error: failureMessage(error) };
        entry.error = outcomes[index].error;
        if (failsTheTask(error)) {
          entry.state = 'failed';
          entry.progress = 1;
          next = entries.length;
          throw error;
        }
      }
      entry.state = outcomes[index].state;
      entry.progress = 1;
    }
  };
  const laneCount = Math.max(1, Math.min(maxParallel, entries.length));
  // Every lane settles before this returns or throws: on cancellation no symbol may still be writing its
  // staging files when the failure is recorded and the staging removed.
  const lanes = await Promise.allSettled(Array.from({ length: laneCount }, lane));
  const stopped = lanes.find((settled) => settled.status === 'rejected');
  if (stopped) throw stopped.reason;
  return outcomes;
}

export interface SymbolBatchInput {
  task_id: string;
  spec: SymbolBacktestSpec;
  symbols: string[];
  max_parallel_symbols: number;
}

/** One batch of a large task's symbols (see SYMBOLS_PER_BATCH). */
export async function symbolBatchWorkflow(input: SymbolBatchInput): Promise<SymbolOutcome[]> {
  const entries: SymbolProgress[] = input.symbols.map((symbol) => ({ symbol, state: 'pending', progress: 0 }));
  answerProgressQueries(() => 'running', entries);
  return runSymbols(input.task_id, input.spec, entries, input.max_parallel_symbols);
}

export async function backtestWorkflow(input: BacktestWorkflowInput): Promise<BacktestWorkflowResult> {
  const { task_id, request, strategy_version } = input;
  const { symbols: _symbols, ...requestSpec } = request;
  const spec: SymbolBacktestSpec = { ...requestSpec, strategy_version };
  const startedAt = new Date().toISOString();
  const noticeBase = { task_id, strategy: request.strategy, symbols: request.symbols.length };
  let status: TaskStatus = 'queued';
  const symbols: SymbolProgress[] = request.symbols.map((symbol) => ({ symbol, state: 'pending', progress: 0 }));

  /** Each symbol's state for a failure manifest: one stopped in flight counts as failed. */
  const symbolStates = () =>
    symbols.map(({ symbol, state, error }) =>
      state === 'running'
        ? { symbol, state: 'failed' as const, error: 'stopped: the task was cancelled or failed' }
        : { symbol, state, ...(error ? { error } : {}) },
    );

  answerProgressQueries(() => status, symbols);

  try {
    await recordTaskStart({ task_id, request });
    status = 'running';

    let outcomes: SymbolOutcome[];
    if (symbols.length <= SYMBOLS_PER_BATCH) {
      outcomes = await runSymbols(task_id, spec, symbols, input.max_parallel_symbols);
    } else {
      outcomes = [];
      for (let start = 0; start < symbols.length; start += SYMBOLS_PER_BATCH) {
        const batch = symbols.slice(start, start + SYMBOLS_PER_BATCH);
        for (const entry of batch) entry.state = 'running';
        const batchOutcomes = await executeChild(symbolBatchWorkflow, {
          workflowId: symbolBatchWorkflowId(task_id, start / SYMBOLS_PER_BATCH),
          args: [{ task_id, spec, symbols: batch.map((entry) => entry.symbol), max_parallel_symbols: input.max_parallel_symbols }],
        });
        batchOutcomes.forEach((outcome, index) => {
          Object.assign(batch[index], { state: outcome.state, progress: 1, ...(outcome.error ? { error: outcome.error } : {}) });
        });
        outcomes.push(...batchOutcomes);
      }
    }

    let result: BacktestWorkflowResult;
    try {
      result = await persistResult({ task_id, request, outcomes, started_at: startedAt, strategy_version });
    } catch (error) {
      if (isCancellation(error)) throw error;
      throw ApplicationFailure.nonRetryable(`persisting the result failed: ${failureMessage(error)}`, 'PersistFailed');
    }
    if (result.status === 'failed') await sendFailureNotice({ ...noticeBase, status: 'failed', error: result.error ?? '' });
    await scheduleCleanup(task_id, result.expires_at);
    // Only now: a client that sees `completed` must find the result in place.
    status = result.status;
    return result;
  } catch (error) {
    // Cancelled, or a step failed for good (persisting, a batch, the start row): the task still ends with
    // a failed manifest and row, recorded even though this scope may be cancelled.
    const cancelled = isCancellation(error);
    const message = cancelled ? 'cancelled by request' : failureMessage(error);
    const recorded = await CancellationScope.nonCancellable(() =>
      recordTaskFailure({ task_id, request, started_at: startedAt, strategy_version, message, cancelled, symbols: symbolStates() }),
    );
    // Tasks that ended this way before this version got no timer of their own: replaying them must not start one.
    if (patched('cleanup-timer-after-failure')) await scheduleCleanup(task_id, recorded.expires_at);
    status = cancelled ? 'cancelled' : 'failed';
    await sendFailureNotice({ ...noticeBase, status: cancelled ? 'cancelled' : 'failed', error: message });
    throw error;
  }
}
