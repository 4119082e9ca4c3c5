/** What every activity needs from the outside world, handed in by the worker (or a test). */
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Config } from '../config';
import type { MarketData } from '../data/marketData';
import type { StrategyRegistry } from '../engine/strategies';
import type { EvaluationPool } from '../threads/evaluationPool';
import type { BacktestResultsRepository } from '../storage/backtestResults';
import type { ParameterSweepsRepository } from '../storage/parameterSweeps';
import type { BlobStore } from '../storage/providers';

export interface ActivityDependencies {
  config: Pick<
    Config,
    | 'PARQUET_COMPRESSION'
    | 'TASK_RESULT_TTL_DAYS'
    | 'FAILED_TASK_TTL_DAYS'
    | 'NODE_ENV'
    | 'FAILURE_WEBHOOK_URL'
    | 'RESULT_STORAGE_MODE'
    | 'BACKUP_RETENTION'
    | 'DATABASE_URL'
  >;
  store: BlobStore;
  /** Market data through the store, with this worker's caches. */
  marketData: MarketData;
  repository: BacktestResultsRepository;
  sweeps: ParameterSweepsRepository;
  /** The worker's threads for CPU-bound evaluation (WORKER_THREADS). */
  evaluation: EvaluationPool;
  /** The database itself, for what is not one repository's business (backups dump every table). */
  pool: pg.Pool;
  logger: Logger;
  /** This worker process, as manifests record it (WORKER_ID, else host and pid). */
  workerId: string;
  /** The strategies this worker loaded (built-ins and STRATEGIES_DIR): what it runs, and the versions it checks. */
  strategies: StrategyRegistry;
}
