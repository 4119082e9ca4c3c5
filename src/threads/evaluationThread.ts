/**
 * The evaluation thread (piscina): CPU-bound engine work off the activity's thread, so one worker process
 * uses every core and its heartbeats keep flowing. Candles and sweep rows arrive in shared memory.
 */
import { Piscina } from 'piscina';
import { runSegmentBacktest } from '../engine/backtest';
import { createStrategyRegistry, type StrategyRegistry } from '../engine/strategies';
import type { Strategy } from '../engine/strategy';
import { loadStrategyRegistry } from '../strategyPlugins';
import { evaluateSweep, planSweep, type Grid, type SweepPlan, type SweepRows } from '../engine/sweep';
import type { BacktestOutput, Candles } from '../engine/types';
import { NEXT_INDEX, STOP_REQUESTED } from './sharedMemory';
import { STRATEGY_MISMATCH_ON_THREAD } from './strategyMismatch';

/** What each thread is started with. */
export interface EvaluationThreadData {
  /** STRATEGIES_DIR: the plugins every thread loads beside the built-ins; none when absent. */
  strategiesDir?: string;
}

export interface BacktestTask {
  kind: 'backtest';
  candles: Candles;
  strategy: string;
  strategyVersion: string;
  params: Record<string, unknown>;
  periodsPerYear: number;
}

export interface SweepTask {
  kind: 'sweep';
  /** Identifies the plan (the sweep), reused by the next chunks of the same sweep on this thread. */
  planKey: string;
  strategy: string;
  strategyVersion: string;
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

// This thread's strategies, loaded once as the worker's main thread loaded them.
const { strategiesDir } = (Piscina.workerData ?? {}) as EvaluationThreadData;
const strategies: Promise<StrategyRegistry> = strategiesDir
  ? loadStrategyRegistry({ directory: strategiesDir })
  : Promise.resolve(createStrategyRegistry());

/** The strategy `id` as this thread loaded it, which must be the version the activity checked. */
async function strategyOf(id: string, version: string): Promise<Strategy> {
  const registry = await strategies;
  const entry = registry.get(id);
  if (!entry || entry.version !== version) {
    const [failed] = registry.unavailable(id);
    const found = entry ? `version ${entry.version}` : failed ? `it unavailable: ${failed.error}` : 'no such strategy';
    throw new Error(`${STRATEGY_MISMATCH_ON_THREAD}${id}: the activity checked version ${version}, this thread has ${found}`);
  }
  return entry.strategy;
}

const plans = new Map<string, SweepPlan>();
const MAX_PLANS = 8;

async function planFor(task: SweepTask): Promise<SweepPlan> {
  let plan = plans.get(task.planKey);
  if (!plan) {
    plan = planSweep({
      strategy: await strategyOf(task.strategy, task.strategyVersion),
      fixedParams: task.fixedParams,
      grid: task.grid,
      periodsPerYear: task.periodsPerYear,
    });
    plans.set(task.planKey, plan);
    if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
  }
  return plan;
}

async function runBacktestTask({ candles, strategy, strategyVersion, params, periodsPerYear }: BacktestTask): Promise<BacktestOutput> {
  const output = runSegmentBacktest(
    candles,
    await strategyOf(strategy, strategyVersion),
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
async function runSweepTask(task: SweepTask): Promise<number> {
  const { control } = task;
  return evaluateSweep(await planFor(task), task.candles, task.comboIds, task.rows, {
    segment: task.segment,
    resumeAt: task.resumeAt,
    onProgress: (next) => {
      Atomics.store(control, NEXT_INDEX, next);
      return Atomics.load(control, STOP_REQUESTED) === 0;
    },
  });
}

export default function evaluate(task: EvaluationTask): Promise<BacktestOutput | number> {
  return task.kind === 'backtest' ? runBacktestTask(task) : runSweepTask(task);
}
