/** What every activity needs from the outside world, handed in by the worker (or a test). */
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { BlobStore } from '../storage/blobStore';
import type { BacktestResultsRepository } from '../storage/database';

export interface ActivityDependencies {
  config: Pick<
    Config,
    | 'DATA_ROOT'
    | 'PARQUET_COMPRESSION'
    | 'TASK_RESULT_TTL_DAYS'
    | 'FAILED_TASK_TTL_DAYS'
    | 'NODE_ENV'
    | 'WORKER_ID'
    | 'FAILURE_WEBHOOK_URL'
    | 'RESULT_STORAGE_MODE'
    | 'MARKET_DATA_CACHE_MB'
  >;
  store: BlobStore;
  repository: BacktestResultsRepository;
  logger: Logger;
}
