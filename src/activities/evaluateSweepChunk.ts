/**
 * One chunk of a sweep: positions [first, end) of the combo-id list on one symbol's range (or one fold's
 * in-sample part). A thread of the pool evaluates the rows into shared memory; this activity stages them in
 * parts of PART_ROWS rows as they come, heartbeats the next position after each part, and on a retry resumes
 * from the last heartbeat, so a crash costs at most the parts not yet heartbeated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelledFailure, Context } from '@temporalio/activity';
import { betterCombo, type RankedCombo, type SweepChunkHeartbeat, type SweepChunkInput, type SweepChunkResult } from '../contracts/sweep';
import { bestRow, inSampleSegment, type SweepRows } from '../engine/sweep';
import { isStaged, PART_ROWS, partKey, readParts, writePart } from '../storage/sweepStaging';
import { allocateControl, allocateSharedSweepRows, NEXT_INDEX, STOP_REQUESTED } from '../threads/sharedMemory';
import { CandlesForThreads } from './candlesForThreads';
import type { ActivityDependencies } from './dependencies';
import { loadCandlesOrFail } from './loadCandles';
import type { SweepContexts } from './sweepContext';

/** How often the activity looks at the thread's progress. */
const POLL_MS = 100;

/** Row `row` as the workflow ranks it. */
export function rankedCombo(rows: SweepRows, row: number, metric: string): RankedCombo {
  const { metrics } = rows;
  const objective = metrics[metric as keyof typeof metrics][row];
  return {
    combo_id: rows.comboId[row],
    objective: Number.isNaN(objective) ? null : objective,
    closed_trades: metrics.winning_signals[row] + metrics.losing_signals[row],
    return_pct: metrics.total_pnl_pct[row],
  };
}

export function createEvaluateSweepChunk({ store, marketData, evaluation, logger }: ActivityDependencies, sweepContext: SweepContexts) {
  const candlesForThreads = new CandlesForThreads(marketData);

  return async function evaluateSweepChunk({ sweep_id, symbol, fold, first, end }: SweepChunkInput): Promise<SweepChunkResult> {
    const context = Context.current();
    const sweep = await sweepContext(sweep_id);
    const { request } = sweep;
    const symbolPlan = sweep.plan.symbols.find((entry) => entry.symbol === symbol)!;
    const loaded = await loadCandlesOrFail((range) => candlesForThreads.load(range), {
      symbol,
      timeframe: request.timeframe,
      startDate: request.start_date,
      endDate: request.end_date,
    });
    const resumeAt = (context.info.heartbeatDetails as SweepChunkHeartbeat | undefined)?.next ?? first;
    const comboIds = sweep.comboIds.subarray(first, end);
    const rows = allocateSharedSweepRows(end - first);
    const control = allocateControl();
    Atomics.store(control, NEXT_INDEX, resumeAt - first);
    const running = evaluation
      .evaluateSweep({
        planKey: sweep_id,
        strategy: request.strategy,
        strategyVersion: sweep.strategyVersion,
        fixedParams: request.params,
        grid: request.grid,
        periodsPerYear: sweep.periodsPerYear,
        candles: loaded.candles,
        comboIds,
        segment: fold === null ? undefined : inSampleSegment(symbolPlan.folds[fold]),
        resumeAt: resumeAt - first,
        rows,
        control,
      })
      .then((reached) => ({ reached }));

    let staged = resumeAt - first;
    let reevaluated = 0;
    /** Stages the parts complete below `reached` (the last one may be short when the chunk is done) and heartbeats after each. */
    const stageUpTo = async (reached: number, done: boolean) => {
      while (staged < reached && (reached - staged >= PART_ROWS || done)) {
        const partEnd = Math.min(staged + PART_ROWS, reached);
        const key = partKey(sweep_id, symbol, fold, first + staged);
        if (await isStaged(store, key)) reevaluated += partEnd - staged;
        await writePart(store, key, rows, staged, partEnd);
        staged = partEnd;
        context.heartbeat({ first, next: first + staged } satisfies SweepChunkHeartbeat);
      }
    };

    for (;;) {
      const outcome = await Promise.race([running, sleep(POLL_MS).then(() => undefined)]);
      if (context.cancellationSignal.aborted) {
        Atomics.store(control, STOP_REQUESTED, 1);
        await running;
        throw new CancelledFailure(`sweep ${sweep_id} chunk ${symbol} ${first}..${end} cancelled`);
      }
      await stageUpTo(outcome ? outcome.reached : Atomics.load(control, NEXT_INDEX), outcome !== undefined);
      if (outcome) break;
      // an idle poll still heartbeats, so a slow signal computation is not taken for a dead worker
      context.heartbeat({ first, next: first + staged } satisfies SweepChunkHeartbeat);
    }

    // The chunk's best row: over this attempt's rows, and over the parts an earlier attempt staged.
    const metric = request.objective.metric;
    const candidates: RankedCombo[] = [];
    const freshBest = bestRow(rows, resumeAt - first, end - first, sweep.objective);
    if (freshBest >= 0) candidates.push(rankedCombo(rows, freshBest, metric));
    if (resumeAt > first) {
      const keys = Array.from({ length: Math.ceil((resumeAt - first) / PART_ROWS) }, (_, part) =>
        partKey(sweep_id, symbol, fold, first + part * PART_ROWS),
      );
      const earlier = await readParts(store, keys);
      const earlierBest = bestRow(earlier, 0, earlier.capacity, sweep.objective);
      if (earlierBest >= 0) candidates.push(rankedCombo(earlier, earlierBest, metric));
    }
    const best = candidates.length === 0 ? null : candidates.reduce((a, b) => betterCombo(a, b, request.objective));
    logger.debug({ sweep_id, symbol, fold, first, end, resume_at: resumeAt, reevaluated }, 'sweep chunk done');
    return { evaluated: end - resumeAt, reevaluated, best };
  };
}
