/** What the API needs, handed in by server.ts (or a test). */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { MarketData } from '../data/marketData';
import type { BacktestResultsRepository } from '../storage/backtestResults';
import type { ParameterSweepsRepository } from '../storage/parameterSweeps';
import type { BlobStore } from '../storage/providers';

export interface ApiDependencies {
  config: Pick<
    Config,
    | 'TEMPORAL_TASK_QUEUE'
    | 'TEMPORAL_NAMESPACE'
    | 'TEMPORAL_UI_URL'
    | 'MAX_PARALLEL_SYMBOLS'
    | 'API_TOKEN'
    | 'SUBMISSIONS_PER_MINUTE'
    | 'MAX_SWEEP_COMBINATIONS'
    | 'MAX_SWEEP_EVALUATIONS'
    | 'SWEEP_PARALLEL_CHUNKS'
    | 'SWEEP_CHUNK_COMBINATIONS'
  >;
  temporal: Client;
  pool: Pool;
  repository: BacktestResultsRepository;
  sweeps: ParameterSweepsRepository;
  store: BlobStore;
  marketData: MarketData;
  logger: Logger;
  /** Check every answer against the contract's response schema (tests). */
  validateResponses?: boolean;
}
