/**
 * The one factory every process uses to reach the store, and the environment variables that choose it
 * (DESIGN.md sections 3 and 13).
 *
 * In src/config.ts:
 *   const environmentSchema = z.object({ ...other, ...storageEnvironmentShape }).superRefine(checkStorageEnvironment);
 *   const store = createBlobStore(storageSettings(config));
 */
import { z } from 'zod';
import type { BlobStore } from './blobStore';
import { normalizePrefix } from './keys';
import { LocalBlobStore } from './localBlobStore';
import { S3BlobStore, type S3Settings } from './s3BlobStore';

export * from './blobStore';
export { LocalBlobStore } from './localBlobStore';
export { BucketNotFoundError, S3BlobStore, type S3Settings } from './s3BlobStore';

export interface BlobStoreSettings {
  provider: 'local' | 's3';
  /** The local provider's root folder (DATA_ROOT). */
  dataRoot: string;
  /** Required when provider is 's3'. */
  s3?: S3Settings;
}

export function createBlobStore(settings: BlobStoreSettings): BlobStore {
  if (settings.provider === 'local') return new LocalBlobStore(settings.dataRoot);
  if (settings.provider === 's3') {
    if (!settings.s3) throw new Error('the s3 storage provider needs S3 settings (S3_BUCKET, ...)');
    return new S3BlobStore(settings.s3);
  }
  throw new Error(`unknown storage provider ${JSON.stringify(settings.provider)}, expected "local" or "s3"`);
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

/** The storage variables of DESIGN.md section 3, as a zod object shape to spread into the config schema. */
export const storageEnvironmentShape = {
  STORAGE_PROVIDER: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  S3_BUCKET: optionalText,
  S3_PREFIX: z
    .string()
    .default('')
    .refine(isValidPrefix, { message: 'must be a relative "/"-separated path (no leading "/", "..", "\\" or empty segments)' }),
  S3_REGION: z.string().min(1).default('us-east-1'),
  // "true"/"false", "1"/"0", "yes"/"no", "on"/"off"; z.coerce.boolean() would read "false" as true.
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
};

export type StorageEnvironment = z.output<z.ZodObject<typeof storageEnvironmentShape>>;

/** The rule no shape can state: S3_BUCKET is required when STORAGE_PROVIDER=s3. For `.superRefine()` on the config object. */
export function checkStorageEnvironment(environment: StorageEnvironment, context: z.RefinementCtx): void {
  if (environment.STORAGE_PROVIDER === 's3' && !environment.S3_BUCKET) {
    context.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'S3_BUCKET is required when STORAGE_PROVIDER=s3' });
  }
}

/** BlobStoreSettings from the parsed environment. */
export function storageSettings(environment: StorageEnvironment & { DATA_ROOT: string }): BlobStoreSettings {
  return {
    provider: environment.STORAGE_PROVIDER,
    dataRoot: environment.DATA_ROOT,
    s3:
      environment.STORAGE_PROVIDER === 's3'
        ? {
            endpoint: environment.S3_ENDPOINT,
            bucket: environment.S3_BUCKET ?? '',
            prefix: environment.S3_PREFIX,
            region: environment.S3_REGION,
            forcePathStyle: environment.S3_FORCE_PATH_STYLE,
          }
        : undefined,
  };
}

function isValidPrefix(prefix: string): boolean {
  try {
    normalizePrefix(prefix);
    return true;
  } catch {
    return false;
  }
}
