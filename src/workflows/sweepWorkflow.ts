/**
 * A parameter sweep as a durable business process (DESIGN.md section 12): record the start, plan the
 * segments, evaluate the combinations chunk by chunk on every worker that polls (each chunk resumes from its
 * heartbeat after a crash), validate the choice out of sample when walk-forward is asked for, write the
 * results, start the best combinations as ordinary backtests, and schedule the cleanup. Only references and
 * small summaries travel through the history.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  uuid4,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { BacktestRequest } from '../contracts/backtestRequest';
import {
  betterCombo,
  sweepCleanupWorkflowId,
  sweepDirectory,
  type FoldChoice,
  type RankedCombo,
  type SweepBest,
  type SweepChunkInput,
  type SweepProgress,
  type SweepStatus,
  type SweepWorkflowInput,
  type SweepWorkflowResult,
} from '../contracts/sweep';
import { comboParams, gridLayout } from '../engine/sweep/grid';
import { backtestWorkflow } from './backtestWorkflow';
import { sweepCleanupWorkflow } from './cleanupWorkflows';
import { UNTIL_IT_WORKS } from './retryPolicies';

export const sweepProgressQuery = defineQuery<SweepProgress>('progress');

const { planSweep, runOutOfSample, buildSweepResults, finishSweep, recordSweepFailure } = proxyActivities<Activities>({
  ...UNTIL_IT_WORKS,
  startToCloseTimeout: '30 minutes',
});

const { evaluateSweepChunk } = proxyActivities<Activities>({
  ...UNTIL_IT_WORKS,
  startToCloseTimeout: '30 minutes',
  // A chunk heartbeats after every part (well under a second) and while it waits for its thread; the worker
  // passes one on at least once a second. A crashed worker's chunks are retried 3 s after its last one.
  heartbeatTimeout: '3 seconds',
  // On cancellation, wait until running chunks have stopped, so their staging can be removed after.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const { recordSweepStart } = proxyLocalActivities<Activities>({ ...UNTIL_IT_WORKS, startToCloseTimeout: '30 seconds' });

/** The reason a person can act on, without Temporal's wrapping ("Activity task failed"). */
function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` over `items` with at most `parallel` in flight; every lane settles before this returns or throws. */
async function inLanes<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
  const failed = lanes.find((settled) => settled.status === 'rejected');
  if (failed) throw failed.reason;
}

async function scheduleCleanup(sweepId: string, expiresAt: string): Promise<void> {
  try {
    await CancellationScope.nonCancellable(() =>
      startChild(sweepCleanupWorkflow, {
        workflowId: sweepCleanupWorkflowId(sweepId),
        args: [{ sweep_id: sweepId, expires_at: expiresAt }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      }),
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

export async function sweepWorkflow(input: SweepWorkflowInput): Promise<SweepWorkflowResult> {
  const { sweep_id, request, combinations, evaluations, strategy_version } = input;
  const startedAt = new Date().toISOString();
  const record = { sweep_id, request, combinations, evaluations, strategy_version };
  let status: SweepStatus = 'queued';
  let evaluatingSince: string | null = null;
  let best: RankedCombo | null = null;
  const perSymbol = new Map(request.symbols.map((symbol) => [symbol, { symbol, evaluated: 0, total: 0 }]));
  /** The best in-sample row of each symbol and fold, for the out-of-sample runs. */
  const foldBest = new Map<string, RankedCombo>();
  const layout = gridLayout(request.grid);
  /** Once the results are written: the best combination across symbols (before: the best row seen). */
  let finalBest: SweepBest | null = null;
  const bestSoFar = (): SweepBest | null =>
    finalBest ?? (best && { combo_id: best.combo_id, params: comboParams(layout, best.combo_id), objective: best.objective });

  setHandler(sweepProgressQuery, () => {
    const evaluated = [...perSymbol.values()].reduce((sum, entry) => sum + entry.evaluated, 0);
    return {
      status,
      evaluated,
      total: evaluations,
      progress: evaluations === 0 ? 1 : evaluated / evaluations,
      eta_seconds: null,
      evaluating_since: evaluatingSince,
      best: bestSoFar(),
      symbols: [...perSymbol.values()],
    };
  });

  try {
    await recordSweepStart(record);
    status = 'running';
    const plan = await planSweep({ ...record, started_at: startedAt });
    const segments = plan.folds === 0 ? [null] : Array.from({ length: plan.folds }, (_, fold) => fold);
    const chunks: SweepChunkInput[] = [];
    for (const { symbol } of plan.symbols) {
      perSymbol.get(symbol)!.total = combinations * segments.length;
      for (const fold of segments) {
        for (let first = 0; first < combinations; first += input.chunk_size) {
          chunks.push({ sweep_id, symbol, fold, first, end: Math.min(first + input.chunk_size, combinations) });
        }
      }
    }

    evaluatingSince = new Date().toISOString();
    let reevaluated = 0;
    await inLanes(chunks, input.max_parallel_chunks, async (chunk) => {
      const result = await evaluateSweepChunk(chunk);
      perSymbol.get(chunk.symbol)!.evaluated += chunk.end - chunk.first;
      reevaluated += result.reevaluated;
      if (!result.best) return;
      best = best ? betterCombo(best, result.best, request.objective) : result.best;
      const key = `${chunk.symbol}|${chunk.fold}`;
      const previous = foldBest.get(key);
      foldBest.set(key, previous ? betterCombo(previous, result.best, request.objective) : result.best);
    });

    if (plan.folds > 0) {
      await inLanes(plan.symbols, input.max_parallel_chunks, async ({ symbol }) => {
        const choices: FoldChoice[] = segments.map((fold) => {
          const chosen = foldBest.get(`${symbol}|${fold}`)!;
          return { fold: fold!, combo_id: chosen.combo_id, in_sample_objective: chosen.objective, in_sample_return_pct: chosen.return_pct };
        });
        await runOutOfSample({ sweep_id, symbol, choices });
      });
    }

    const results = await buildSweepResults({ sweep_id });
    finalBest = results.best;
    // The best combinations as ordinary backtests: their ids go into the manifest, their results open in the task views.
    // The fixed parameters (defaults applied) and the combination's: a complete, valid parameter set.
    const materialized = results.top.map((combo) => ({
      task_id: uuid4(),
      params: { ...request.params, ...combo.params } as BacktestRequest['params'],
    }));
    for (const { task_id, params } of materialized) {
      const taskRequest = {
        strategy: request.strategy,
        params,
        symbols: request.symbols,
        start_date: request.start_date,
        end_date: request.end_date,
        timeframe: request.timeframe,
      };
      await startChild(backtestWorkflow, {
        workflowId: task_id,
        args: [{ task_id, request: taskRequest, max_parallel_symbols: input.max_parallel_symbols, strategy_version }],
        memo: {
          strategy: request.strategy,
          symbols: request.symbols,
          timeframe: request.timeframe,
          start_date: request.start_date,
          end_date: request.end_date,
        },
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    const materialized_tasks = materialized.map((task) => task.task_id);
    const { expires_at } = await finishSweep({ ...record, started_at: startedAt, results, materialized_tasks, reevaluated });
    await scheduleCleanup(sweep_id, expires_at);
    // Only now: a client that sees `completed` must find the result in place.
    status = 'completed';
    return { status: 'completed', result_path: sweepDirectory(sweep_id), best: results.best, materialized_tasks, expires_at };
  } catch (error) {
    const cancelled = isCancellation(error);
    const message = cancelled ? 'cancelled by request' : failureMessage(error);
    const { expires_at } = await CancellationScope.nonCancellable(() =>
      recordSweepFailure({ ...record, started_at: startedAt, message, cancelled }),
    );
    await scheduleCleanup(sweep_id, expires_at);
    status = cancelled ? 'cancelled' : 'failed';
    throw error;
  }
}
