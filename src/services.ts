/**
 * What every process (API, worker, operator scripts) builds from the configuration, in one place: the
 * store, market data through it, and the PostgreSQL pool. No process constructs these on its own.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config';
import { DiskCache } from './data/diskCache';
import { MarketData } from './data/marketData';
import { createBlobStore, S3BlobStore, storageSettings, type BlobStore } from './storage/providers';

type StoreConfig = Pick<
  Config,
  'DATA_ROOT' | 'STORAGE_PROVIDER' | 'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_PREFIX' | 'S3_REGION' | 'S3_FORCE_PATH_STYLE'
>;

/** The store STORAGE_PROVIDER names: files under DATA_ROOT, or the S3 bucket of the S3_* variables. */
export function createStore(config: StoreConfig): BlobStore {
  return createBlobStore(storageSettings(config));
}

/**
 * Makes the store usable before a process serves: with S3_CREATE_BUCKET=true the bucket is created when
 * missing (a fresh MinIO); otherwise nothing is checked here, and a missing bucket is reported by the first
 * request (BucketNotFoundError names it).
 */
export async function prepareStore(store: BlobStore, config: Pick<Config, 'S3_CREATE_BUCKET'>): Promise<void> {
  if (config.S3_CREATE_BUCKET && store instanceof S3BlobStore) await store.ensureBucket();
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
