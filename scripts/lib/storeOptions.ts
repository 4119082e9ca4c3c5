/**
 * A store named on an operator script's command line, for scripts that read one store and write another
 * (migrate-storage, restore). Each side has its options, and what an option leaves out comes from the
 * environment (the same variables as every process: DATA_ROOT, S3_BUCKET, S3_PREFIX, S3_ENDPOINT, ...):
 *
 *   --from local|s3  --from-root DIR  --from-bucket B  --from-prefix P  --from-endpoint URL  --from-region R  --from-path-style
 *   --to   local|s3  --to-root DIR    --to-bucket B    ...
 *
 * So `--from local --to s3` copies DATA_ROOT into S3_BUCKET/S3_PREFIX as configured, and `--from s3
 * --to local --to-root /restore` copies the configured bucket into another folder.
 */
import { loadConfig } from '../../src/config';
import { createStore } from '../../src/services';
import { S3BlobStore, type BlobStore } from '../../src/storage/providers';
import { UsageError } from './script';

export type StoreSide = 'from' | 'to';

export function storeOptions<Side extends StoreSide>(side: Side) {
  return {
    [side]: { type: 'string' },
    [`${side}-root`]: { type: 'string' },
    [`${side}-bucket`]: { type: 'string' },
    [`${side}-prefix`]: { type: 'string' },
    [`${side}-endpoint`]: { type: 'string' },
    [`${side}-region`]: { type: 'string' },
    [`${side}-path-style`]: { type: 'boolean' },
  } as const;
}

export const STORE_OPTIONS_USAGE = (side: StoreSide, what: string) => `
  --${side} local|s3          ${what} (default: STORAGE_PROVIDER)
  --${side}-root DIR          the local store's folder (default: DATA_ROOT)
  --${side}-bucket NAME       the S3 bucket (default: S3_BUCKET)
  --${side}-prefix PATH       the folder in the bucket (default: S3_PREFIX)
  --${side}-endpoint URL      the S3 endpoint, e.g. http://127.0.0.1:9000 for MinIO (default: S3_ENDPOINT)
  --${side}-region NAME       (default: S3_REGION)
  --${side}-path-style        path-style addressing, for MinIO (default: S3_FORCE_PATH_STYLE)`;

/** The store one side's options describe; unset options fall back to the environment. */
export function storeFromOptions(
  side: StoreSide,
  values: Record<string, unknown>,
  environment: NodeJS.ProcessEnv = process.env,
): BlobStore {
  const option = (name: string) => values[name === '' ? side : `${side}-${name}`] as string | boolean | undefined;
  const provider = option('') ?? environment.STORAGE_PROVIDER ?? 'local';
  if (provider !== 'local' && provider !== 's3') throw new UsageError(`--${side} must be local or s3, got ${JSON.stringify(provider)}`);
  const overrides: Record<string, string | undefined> = {
    STORAGE_PROVIDER: provider,
    DATA_ROOT: option('root') as string | undefined,
    S3_BUCKET: option('bucket') as string | undefined,
    S3_PREFIX: option('prefix') as string | undefined,
    S3_ENDPOINT: option('endpoint') as string | undefined,
    S3_REGION: option('region') as string | undefined,
    S3_FORCE_PATH_STYLE: option('path-style') === true ? 'true' : undefined,
  };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  try {
    return createStore(loadConfig({ ...environment, ...defined }));
  } catch (error) {
    throw new UsageError(`--${side}: ${(error as Error).message}`);
  }
}

/** Lets the process exit: an S3 client keeps sockets open. */
export function closeStore(store: BlobStore): void {
  if (store instanceof S3BlobStore) store.destroy();
}
