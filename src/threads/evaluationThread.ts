/**
 * The evaluation thread (piscina): CPU-bound engine work off the activity's thread, so one worker process
 * uses every core and its heartbeats keep flowing. Candles and sweep rows arrive in shared memory.
 */
import { Piscina } from 'piscina';
import { runSegmentBacktest } from '../engine/backtest';
import { getStrategy } from '../engine/strategies';
import { evaluateSweep, planSweep, type Grid, type SweepPlan, type SweepRows } from '../engine/sweep';
import type { BacktestOutput, Candles } from '../engine/types';
import { NEXT_INDEX, STOP_REQUESTED } from './sharedMemory';

export interface BacktestTask {
  kind: 'backtest';
  candles: Candles;
  strategy: string;
  params: Record<string, unknown>;
  periodsPerYear: number;
}

export interface SweepTask {
  kind: 'sweep';
  /** Identifies the plan (the sweep), reused by the next chunks of the same sweep on this thread. */
  planKey: string;
  strategy: string;
  fixedParams: Record<string, unknown>;
  grid: Grid;
  periodsPerYear: number;
  candles: Candles;
  comboIds: Float64Array;
  /** Bars evaluated; the whole series when absent. */
  segment?: { warmupStart: number; start: number; end: number };
  resumeAt: number;
  rows: SweepRows;
  /** [NEXT_INDEX, STOP_REQUESTED] in shared memory. */
  control: Int32Array;
}

export type EvaluationTask = BacktestTask | SweepTask;

const plans = new Map<string, SweepPlan>();
const MAX_PLANS = 8;

function planFor(task: SweepTask): SweepPlan {
  let plan = plans.get(task.planKey);
  if (!plan) {
    plan = planSweep({
      strategy: getStrategy(task.strategy as never),
      fixedParams: task.fixedParams,
      grid: task.grid,
      periodsPerYear: task.periodsPerYear,
    });
    plans.set(task.planKey, plan);
    if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
  }
  return plan;
}

function runBacktestTask({ candles, strategy, params, periodsPerYear }: BacktestTask): BacktestOutput {
  const output = runSegmentBacktest(
    candles,
    getStrategy(strategy as never),
    params,
    { warmupStart: 0, start: 0, end: candles.length },
    { periodsPerYear },
  );
  const { trades, curve } = output;
  // The output's arrays are handed to the activity's thread, not copied.
  const transferred = [
    output.signals,
    output.exitSignals,
    ...Object.values(trades).filter(ArrayBuffer.isView),
    ...Object.values(curve).filter(ArrayBuffer.isView),
  ].flatMap((array) => (array ? [(array as Uint8Array).buffer] : []));
  const movable = { [Piscina.transferableSymbol]: [...new Set(transferred)], [Piscina.valueSymbol]: output };
  return Piscina.move(movable as never) as unknown as BacktestOutput;
}

/** Evaluates rows [resumeAt, ...), publishing progress and stopping when asked; returns the index it reached. */
function runSweepTask(task: SweepTask): number {
  const { control } = task;
  return evaluateSweep(planFor(task), task.candles, task.comboIds, task.rows, {
    segment: task.segment,
    resumeAt: task.resumeAt,
    onProgress: (next) => {
      Atomics.store(control, NEXT_INDEX, next);
      return Atomics.load(control, STOP_REQUESTED) === 0;
    },
  });
}

export default function evaluate(task: EvaluationTask): BacktestOutput | number {
  return task.kind === 'backtest' ? runBacktestTask(task) : runSweepTask(task);
}
