/** What the API needs, handed in by server.ts (or a test). */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { MarketDataEntry } from '../data/marketData';
import type { BlobStore } from '../storage/blobStore';
import type { BacktestResultsRepository } from '../storage/database';

export interface ApiDependencies {
  config: Pick<
    Config,
    'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_UI_URL' | 'MAX_PARALLEL_SYMBOLS' | 'API_TOKEN' | 'SUBMISSIONS_PER_MINUTE'
  >;
  temporal: Client;
  pool: Pool;
  repository: BacktestResultsRepository;
  store: BlobStore;
  listMarketData: () => Promise<MarketDataEntry[]>;
  logger: Logger;
}
