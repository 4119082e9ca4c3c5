/**
 * The first step of a sweep: each symbol's candles over the range and, with walk-forward, its folds, written
 * as the sweep's plan for every later activity (on any worker). Idempotent: an existing plan is returned.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { SweepPlanSummary } from '../contracts/sweep';
import type { SweepRequest } from '../contracts/sweepRequest';
import { gridLayout, largestWarmupBars, walkForwardFolds } from '../engine/sweep';
import { BlobNotFoundError } from '../storage/providers';
import { readPlan, writePlan, type SweepPlanFile } from '../storage/sweepStaging';
import type { ActivityDependencies } from './dependencies';
import { loadCandlesOrFail } from './loadCandles';
import { checkedStrategy } from './strategyCheck';

const summaryOf = (plan: SweepPlanFile): SweepPlanSummary => ({
  symbols: plan.symbols.map(({ symbol, candles }) => ({ symbol, candles })),
  folds: plan.request.walk_forward?.folds ?? 0,
});

export function createPlanSweep({ store, marketData, logger, strategies, workerId }: ActivityDependencies) {
  return async function planSweep(input: {
    sweep_id: string;
    request: SweepRequest;
    combinations: number;
    evaluations: number;
    started_at: string;
    strategy_version?: string;
  }): Promise<SweepPlanSummary> {
    const { sweep_id, request } = input;
    try {
      return summaryOf(await readPlan(store, sweep_id));
    } catch (error) {
      if (!(error instanceof BlobNotFoundError)) throw error;
    }
    const { strategy } = checkedStrategy(strategies, request.strategy, input.strategy_version, workerId);
    const warmupBars = largestWarmupBars(strategy, request.params, gridLayout(request.grid));
    const symbols: SweepPlanFile['symbols'] = [];
    for (const symbol of request.symbols) {
      const { candles, files } = await loadCandlesOrFail((range) => marketData.loadCandles(range), {
        symbol,
        timeframe: request.timeframe,
        startDate: request.start_date,
        endDate: request.end_date,
      });
      const time = (bar: number) => candles.timestamp[bar];
      let folds: SweepPlanFile['symbols'][number]['folds'] = [];
      if (request.walk_forward) {
        try {
          folds = walkForwardFolds(candles.length, request.walk_forward).map((fold) => ({
            ...fold,
            in_sample_start_ms: time(fold.inSampleStart),
            in_sample_end_ms: time(fold.inSampleEnd - 1),
            out_of_sample_start_ms: time(fold.outOfSampleStart),
            out_of_sample_end_ms: time(fold.outOfSampleEnd - 1),
          }));
        } catch (error) {
          throw ApplicationFailure.nonRetryable(`${symbol}: ${(error as Error).message}`, 'InvalidParameters');
        }
        const shortest = Math.min(...folds.map((fold) => fold.inSampleEnd - fold.inSampleStart));
        if (shortest <= warmupBars) {
          throw ApplicationFailure.nonRetryable(
            `${symbol}: an in-sample part of ${shortest} candles is too short for the strategy's window of ${warmupBars} candles; use fewer folds or a longer range`,
            'InvalidParameters',
          );
        }
      }
      symbols.push({
        symbol,
        candles: candles.length,
        first_candle: time(0),
        last_candle: time(candles.length - 1),
        data_files: files,
        folds,
        warmup_bars: warmupBars,
      });
    }
    const plan: SweepPlanFile = { ...input, symbols };
    await writePlan(store, plan);
    logger.info({ sweep_id, symbols: symbols.length, combinations: input.combinations }, 'sweep planned');
    return summaryOf(plan);
  };
}
