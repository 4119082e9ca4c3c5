/**
 * Walk-forward's out-of-sample step for one symbol: each fold's chosen combination run on the fold's
 * out-of-sample part, warmed up on the candles just before it, starting with the equity the previous fold
 * ended with; the stitched curve and the per-fold figures are staged for the persist step. Idempotent.
 */
import type { OutOfSampleInput } from '../contracts/sweep';
import { runSegmentBacktest } from '../engine/backtest';
import { sliceCandles } from '../engine/candles';
import { comboParams, outOfSampleSegment, stitchSegments, strategyWarmupBars, type StitchedSegment } from '../engine/sweep';
import { buildPerformanceCurveTable } from '../storage/resultTables';
import { writeOutOfSample, type OutOfSampleRecord } from '../storage/sweepStaging';
import type { ActivityDependencies } from './dependencies';
import { loadCandlesOrFail } from './loadCandles';
import type { SweepContexts } from './sweepContext';

export function createRunOutOfSample({ store, marketData, logger }: ActivityDependencies, sweepContext: SweepContexts) {
  return async function runOutOfSample({ sweep_id, symbol, choices }: OutOfSampleInput): Promise<void> {
    const sweep = await sweepContext(sweep_id);
    const { request, strategy, layout } = sweep;
    const symbolPlan = sweep.plan.symbols.find((entry) => entry.symbol === symbol)!;
    const { candles } = await loadCandlesOrFail((range) => marketData.loadCandles(range), {
      symbol,
      timeframe: request.timeframe,
      startDate: request.start_date,
      endDate: request.end_date,
    });
    const metric = request.objective.metric;
    const segments: StitchedSegment[] = [];
    const record: OutOfSampleRecord = { symbol, folds: [] };
    let equity: number | undefined;
    let initialCapital = 0;
    // each fold in order: its chosen combination on its out-of-sample part, continuing the previous fold's equity
    for (const choice of [...choices].sort((a, b) => a.fold - b.fold)) {
      const fold = symbolPlan.folds[choice.fold];
      const params = { ...request.params, ...comboParams(layout, choice.combo_id) };
      const segment = outOfSampleSegment(fold, strategyWarmupBars(strategy, params));
      equity ??= initialCapital = params.initial_capital as number;
      const output = runSegmentBacktest(candles, strategy, params, segment, {
        periodsPerYear: sweep.periodsPerYear,
        initialEquity: equity,
      });
      segments.push({ candles: sliceCandles(candles, segment.start, segment.end), trades: output.trades, curve: output.curve });
      equity = output.curve.equity[output.curve.length - 1];
      const objective = output.summary[metric];
      record.folds.push({
        fold: choice.fold,
        combo_id: choice.combo_id,
        in_sample_objective: choice.in_sample_objective,
        out_of_sample_objective: objective === null || Number.isNaN(objective) ? null : objective,
        in_sample_return_pct: choice.in_sample_return_pct,
        out_of_sample_return_pct: output.summary.total_pnl_pct,
      });
    }
    const stitched = stitchSegments(segments, initialCapital, sweep.periodsPerYear);
    record.stitched = stitched.summary;
    const curve = buildPerformanceCurveTable([{ symbol, timestamps: stitched.candles.timestamp, curve: stitched.curve }]);
    await writeOutOfSample(store, sweep_id, record, curve);
    logger.info({ sweep_id, symbol, folds: record.folds.length }, 'out-of-sample runs done');
  };
}
