/**
 * The sweep engine (DESIGN.md section 12): grids and combo ids, evaluation of many combinations of one strategy on one
 * candle series with work shared where the result cannot change, walk-forward folds and efficiency, and ranking.
 * Pure: no I/O, no threads; a caller runs `evaluateSweep` on a chunk of combo ids inside a worker thread.
 */
export { runSegmentBacktest, type Segment, type SegmentOptions } from '../backtest';
export { stitchSegments, type Stitched, type StitchedSegment } from './stitch';
export { summaryOfRow } from '../metrics';
export { summaryMetrics, nullableSummaryMetrics, type SummaryColumns, type SummaryMetric } from '../types';
export { allocateSweepRows, evaluateSweep, type EvaluateOptions, type SweepRows } from './evaluate';
export {
  checkComboId,
  comboIdRange,
  comboParams,
  comboParamsInto,
  comboValueIndicesInto,
  gridLayout,
  gridSize,
  mulberry32,
  sampleComboIds,
  type Grid,
  type GridLayout,
  type ParamValue,
} from './grid';
export { planSweep, SHARED_SIGNAL_PARAM, SIGNAL_PARAM, SIMULATION_PARAM, type SweepDefinition, type SweepPlan } from './plan';
export { bestRow, defaultDirection, rankOrder, ranksInto, type Objective, type ObjectiveDirection } from './rank';
export {
  annualisedReturnPct,
  inSampleSegment,
  largestWarmupBars,
  outOfSampleSegment,
  strategyWarmupBars,
  walkForwardEfficiency,
  walkForwardFolds,
  type Fold,
  type FoldReturns,
  type WalkForwardEfficiency,
  type WalkForwardSpec,
} from './walkForward';
