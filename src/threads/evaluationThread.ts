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
import type { Candles, SymbolSummary } from '../engine/types';
import type { ParquetCompression } from '../shared/parquet';
import { parquetOfStagedParts, type EncodedTable } from '../storage/stagedParquet';
import { encodeSymbolStaging, type StagedTables } from '../storage/staging';
import { NEXT_INDEX, STOP_REQUESTED } from './sharedMemory';
import { STRATEGY_MISMATCH_ON_THREAD } from './strategyMismatch';

/** What each thread is started with. */
export interface EvaluationThreadData {
  /** STRATEGIES_DIR: the plugins every thread loads beside the built-ins; none when absent. */
  strategiesDir?: string;
}

export interface BacktestTask {
  kind: 'backtest';
  symbol: string;
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

/** A result table's Parquet file from its symbols' staged parts (the persist step). */
export interface ParquetTask {
  kind: 'parquet';
  parts: Uint8Array[];
  compression: ParquetCompression;
}

export type EvaluationTask = BacktestTask | SweepTask | ParquetTask;

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

/** What a symbol's backtest hands its activity: the summary and the staging files, encoded here. */
export interface SymbolBacktestOutput {
  summary: SymbolSummary;
  tradeCount: number;
  tables: StagedTables;
}

async function runBacktestTask({
  symbol,
  candles,
  strategy,
  strategyVersion,
  params,
  periodsPerYear,
}: BacktestTask): Promise<SymbolBacktestOutput> {
  const output = runSegmentBacktest(
    candles,
    await strategyOf(strategy, strategyVersion),
    params,
    { warmupStart: 0, start: 0, end: candles.length },
    { periodsPerYear },
  );
  const tables = encodeSymbolStaging(symbol, candles.timestamp, output);
  // The encoded files are handed to the activity's thread, not copied.
  const movable = {
    [Piscina.transferableSymbol]: [tables.signals.buffer, tables.curve.buffer],
    [Piscina.valueSymbol]: { summary: output.summary, tradeCount: output.trades.count, tables },
  };
  return Piscina.move(movable as never) as unknown as SymbolBacktestOutput;
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

function encodeParquetTask({ parts, compression }: ParquetTask): EncodedTable {
  const encoded = parquetOfStagedParts(parts, compression);
  return Piscina.move({
    [Piscina.transferableSymbol]: [encoded.bytes.buffer],
    [Piscina.valueSymbol]: encoded,
  } as never) as unknown as EncodedTable;
}

export type EvaluationResult = SymbolBacktestOutput | number | EncodedTable;

export default async function evaluate(task: EvaluationTask): Promise<EvaluationResult> {
  switch (task.kind) {
    case 'backtest':
      return runBacktestTask(task);
    case 'sweep':
      return runSweepTask(task);
    case 'parquet':
      return encodeParquetTask(task);
  }
}
