/**
 * What every process (API, worker, operator scripts) builds from the configuration, in one place: the
 * store, market data through it, and the PostgreSQL pool. No process constructs these on its own.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config';
import { DiskCache } from './data/diskCache';
import { MarketData } from './data/marketData';
import { LocalBlobStore, type BlobStore } from './storage/providers';

export function createStore(config: Pick<Config, 'DATA_ROOT'>): BlobStore {
  return new LocalBlobStore(config.DATA_ROOT);
}

/** Market data through the store; a remote store's files are also kept on the local disk (LOCAL_CACHE_DIR). */
export function createMarketData(
  config: Pick<Config, 'MARKET_DATA_CACHE_MB' | 'DATA_ROOT' | 'STORAGE_PROVIDER' | 'LOCAL_CACHE_DIR'>,
  store: BlobStore,
  logger: Pick<Logger, 'warn'>,
): MarketData {
  const cacheBytes = config.MARKET_DATA_CACHE_MB * 1_000_000;
  const remote = config.STORAGE_PROVIDER !== 'local';
  return new MarketData({
    store,
    cacheBytes,
    diskCache: remote
      ? new DiskCache(join(config.LOCAL_CACHE_DIR ?? join(config.DATA_ROOT, 'cache'), 'market-data'), cacheBytes)
      : undefined,
    onDamagedFile: (problem) => logger.warn({ file: problem.file, err: problem.message }, 'damaged market data file'),
  });
}
