/**
 * The worker process's thread pool for CPU-bound evaluation (WORKER_THREADS threads, piscina): symbols of
 * ordinary backtests and chunks of sweeps. Activities stay on the main thread, where they heartbeat.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { BacktestOutput, Candles } from '../engine/types';
import type { EvaluationTask, SweepTask } from './evaluationThread';

export interface EvaluationPool {
  runBacktest(task: {
    candles: Candles;
    strategy: string;
    params: Record<string, unknown>;
    periodsPerYear: number;
  }): Promise<BacktestOutput>;
  /** Resolves with the index into the combo ids the evaluation reached (all of them unless asked to stop). */
  evaluateSweep(task: Omit<SweepTask, 'kind'>): Promise<number>;
  close(): Promise<void>;
}

/** The thread entry: compiled JavaScript beside this file, or TypeScript source run through tsx. */
const THREAD_FILE = join(__dirname, `evaluationThread${__filename.endsWith('.ts') ? '.ts' : '.js'}`);

export function createEvaluationPool(threads: number = availableParallelism()): EvaluationPool {
  const pool = new Piscina<EvaluationTask, BacktestOutput | number>({
    filename: THREAD_FILE,
    minThreads: threads,
    maxThreads: threads,
    // one task per thread at a time: an evaluation keeps its core busy until done
    concurrentTasksPerWorker: 1,
    idleTimeout: 60_000,
    ...(THREAD_FILE.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {}),
  });
  return {
    runBacktest: (task) => pool.run({ kind: 'backtest', ...task }) as Promise<BacktestOutput>,
    evaluateSweep: (task) => pool.run({ kind: 'sweep', ...task }) as Promise<number>,
    close: () => pool.destroy(),
  };
}
