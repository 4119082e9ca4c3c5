/**
 * The worker process's thread pool for CPU-bound evaluation (WORKER_THREADS threads, piscina): symbols of
 * ordinary backtests and chunks of sweeps. Activities stay on the main thread, where they heartbeat.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { Candles } from '../engine/types';
import { ApplicationFailure } from '@temporalio/common';
import type { StagedTableEncoder, EncodedTable } from '../storage/stagedParquet';
import type { EvaluationResult, EvaluationTask, EvaluationThreadData, SweepTask, SymbolBacktestOutput } from './evaluationThread';
import { STRATEGY_MISMATCH_ON_THREAD } from './strategyMismatch';

export interface EvaluationPool {
  /** A symbol's backtest, its staging files encoded on the thread. */
  runBacktest(task: {
    symbol: string;
    candles: Candles;
    strategy: string;
    /** The version the activity checked: a thread that loaded another one refuses (see the thread's strategyOf). */
    strategyVersion: string;
    params: Record<string, unknown>;
    periodsPerYear: number;
  }): Promise<SymbolBacktestOutput>;
  /** Resolves with the index into the combo ids the evaluation reached (all of them unless asked to stop). */
  evaluateSweep(task: Omit<SweepTask, 'kind'>): Promise<number>;
  /** The persist step's Parquet encoding of one result table from its staged parts. */
  encodeStagedTable: StagedTableEncoder;
  close(): Promise<void>;
}

/** The thread entry: compiled JavaScript beside this file, or TypeScript source run through tsx. */
const THREAD_FILE = join(__dirname, `evaluationThread${__filename.endsWith('.ts') ? '.ts' : '.js'}`);

/**
 * A thread that loaded another version of a strategy than the activity checked (its file changed while the worker
 * started) fails the work for good, as a worker with another version than the API's does.
 */
function failingForGoodOnStrategyMismatch(error: unknown): never {
  const message = (error as Error)?.message ?? String(error);
  if (message.startsWith(STRATEGY_MISMATCH_ON_THREAD)) throw ApplicationFailure.nonRetryable(message, 'StrategyVersionMismatch');
  throw error;
}

/** `threads` threads, each with the built-in strategies and the plugins of `strategiesDir` (STRATEGIES_DIR). */
export function createEvaluationPool(threads: number = availableParallelism(), strategiesDir?: string): EvaluationPool {
  const pool = new Piscina<EvaluationTask, EvaluationResult>({
    filename: THREAD_FILE,
    workerData: { strategiesDir } satisfies EvaluationThreadData,
    minThreads: threads,
    maxThreads: threads,
    // one task per thread at a time: an evaluation keeps its core busy until done
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    ...(THREAD_FILE.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {}),
  });
  return {
    runBacktest: (task) =>
      (pool.run({ kind: 'backtest', ...task }) as Promise<SymbolBacktestOutput>).catch(failingForGoodOnStrategyMismatch),
    evaluateSweep: (task) => (pool.run({ kind: 'sweep', ...task }) as Promise<number>).catch(failingForGoodOnStrategyMismatch),
    encodeStagedTable: (parts, compression) => pool.run({ kind: 'parquet', parts, compression }) as Promise<EncodedTable>,
    close: () => pool.destroy(),
  };
}
