/**
 * The parts of the storage providers that need no store: the environment schema, key rules and order,
 * the concurrency limit. The providers themselves are tested against real stores in
 * test/integration/blobStores.test.ts.
 */
import { z } from 'zod';
import {
  StoreUnavailableError,
  checkStorageEnvironment,
  createBlobStore,
  isStoreUnavailable,
  storageEnvironmentShape,
  storageSettings,
} from '../../../src/storage/providers';
import { ConcurrencyLimit } from '../../../src/storage/providers/concurrencyLimit';
import { compareKeys, normalizePrefix } from '../../../src/storage/providers/keys';

const schema = z.object({ DATA_ROOT: z.string().default('/data'), ...storageEnvironmentShape }).superRefine(checkStorageEnvironment);
const issues = (environment: Record<string, string>) => {
  const parsed = schema.safeParse(environment);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('the storage environment', () => {
  test('defaults to the local provider under DATA_ROOT', () => {
    expect(storageSettings(schema.parse({}))).toEqual({ provider: 'local', dataRoot: '/data', s3: undefined });
  });

  test('s3 settings come from the S3_ variables, with the defaults of DESIGN.md section 3', () => {
    const environment = schema.parse({ STORAGE_PROVIDER: 's3', S3_BUCKET: 'results', S3_ENDPOINT: '', S3_PREFIX: '' });
    expect(storageSettings(environment).s3).toEqual({
      endpoint: undefined,
      bucket: 'results',
      prefix: '',
      region: 'us-east-1',
      forcePathStyle: false,
    });
    const minio = schema.parse({
      STORAGE_PROVIDER: 's3',
      S3_BUCKET: 'results',
      S3_ENDPOINT: 'http://minio:9000',
      S3_PREFIX: 'prod/backtests',
      S3_REGION: 'eu-central-1',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(storageSettings(minio).s3).toEqual({
      endpoint: 'http://minio:9000',
      bucket: 'results',
      prefix: 'prod/backtests',
      region: 'eu-central-1',
      forcePathStyle: true,
    });
  });

  test('S3_FORCE_PATH_STYLE reads "false" and "0" as false', () => {
    for (const value of ['false', '0', 'no']) expect(schema.parse({ S3_FORCE_PATH_STYLE: value }).S3_FORCE_PATH_STYLE).toBe(false);
    for (const value of ['true', '1', 'yes']) expect(schema.parse({ S3_FORCE_PATH_STYLE: value }).S3_FORCE_PATH_STYLE).toBe(true);
  });

  test('bad values are reported by variable name', () => {
    expect(issues({ STORAGE_PROVIDER: 's3' })).toEqual(['S3_BUCKET: S3_BUCKET is required when STORAGE_PROVIDER=s3']);
    expect(issues({ STORAGE_PROVIDER: 'gcs' })).toEqual([expect.stringMatching(/^STORAGE_PROVIDER: /)]);
    expect(issues({ S3_ENDPOINT: 'minio:9000 ' })).toEqual([expect.stringMatching(/^S3_ENDPOINT: /)]);
    expect(issues({ S3_PREFIX: '../other' })).toEqual([expect.stringMatching(/^S3_PREFIX: must be a relative/)]);
    expect(issues({ S3_FORCE_PATH_STYLE: 'maybe' })).toEqual([expect.stringMatching(/^S3_FORCE_PATH_STYLE: /)]);
  });

  test('createBlobStore refuses s3 without settings and an unknown provider', () => {
    expect(() => createBlobStore({ provider: 's3', dataRoot: '/data' })).toThrow(/S3 settings/);
    expect(() => createBlobStore({ provider: 'ftp' as never, dataRoot: '/data' })).toThrow('unknown storage provider "ftp"');
  });
});

describe('keys', () => {
  test('a prefix with or without a trailing slash is the same folder; "" and "/" are the root', () => {
    expect(normalizePrefix('tasks/')).toBe('tasks');
    expect(normalizePrefix('tasks')).toBe('tasks');
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix('/')).toBe('');
  });

  test('keys sort by their UTF-8 bytes, as S3 lists them', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (4 bytes, F0 9F 98 80); UTF-16 code units say the opposite.
    const keys = ['a/\u{1F600}', 'a/\uFF5E', 'a/b', 'a-b', 'A'];
    expect([...keys].sort(compareKeys)).toEqual(['A', 'a-b', 'a/b', 'a/\uFF5E', 'a/\u{1F600}']);
    expect([...keys].sort()).not.toEqual([...keys].sort(compareKeys));
  });
});

describe('StoreUnavailableError', () => {
  test('names the store, the operation and the cause, and is recognised by name as well as by class', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
    const error = new StoreUnavailableError('s3://results/', 'get tasks/a/manifest.json', cause);
    expect(error.message).toBe(
      'storage s3://results/ is unavailable (get tasks/a/manifest.json): ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9000',
    );
    expect(error.cause).toBe(cause);
    expect(isStoreUnavailable(error)).toBe(true);
    expect(isStoreUnavailable({ name: 'StoreUnavailableError', message: 'from a Temporal failure' })).toBe(true);
    expect(isStoreUnavailable(cause)).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
  });
});

describe('ConcurrencyLimit', () => {
  test('runs at most `limit` tasks at once, starts the others in order, and frees a slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (index: number) => async () => {
      started.push(index);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (index === 1) throw new Error('task 1 failed');
      return index;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((index) => limit.run(task(index))));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : 'failed'))).toEqual([0, 'failed', 2, 3, 4]);
    await expect(limit.run(async () => 'free again')).resolves.toBe('free again');
  });
});
