/** Environment, parsed once with zod (DESIGN.md section 3; `.env.sample` lists every variable). */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseBackupRetention } from './storage/backupRetention';
import { checkStorageEnvironment, storageEnvironmentShape } from './storage/providers';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

const environmentSchema = z
  .object({
    DATA_ROOT: z
      .string()
      .default('./data')
      .transform((value) => resolve(value)),
    DATABASE_URL: optionalText,
    TEMPORAL_ADDRESS: optionalText,
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('backtests'),
    SCHEDULES_TASK_QUEUE: z.string().default('backtests'),
    TEMPORAL_UI_URL: z.string().default('http://localhost:8233'),
    // A production cluster: client certificate and key (mTLS), the CA that signed the server's certificate,
    // or an API key (Temporal Cloud). See temporalConnectionOptions in src/temporalConnection.ts.
    TEMPORAL_TLS_CERT: optionalText,
    TEMPORAL_TLS_KEY: optionalText,
    TEMPORAL_TLS_CA: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    TEMPORAL_TLS: z.stringbool().optional(),
    TEMPORAL_API_KEY: optionalText,
    MAX_PARALLEL_SYMBOLS: positiveInt(8),
    WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt(availableParallelism()),
    WORKER_THREADS: positiveInt(availableParallelism()),
    MAX_SWEEP_COMBINATIONS: positiveInt(100_000),
    MAX_SWEEP_EVALUATIONS: positiveInt(2_000_000),
    SWEEP_PARALLEL_CHUNKS: positiveInt(8),
    SWEEP_CHUNK_COMBINATIONS: z.coerce.number().int().positive().optional(),
    TASK_RESULT_TTL_DAYS: z.coerce.number().positive().default(7),
    FAILED_TASK_TTL_DAYS: z.coerce.number().positive().default(1),
    CLEANUP_CRON: z.string().default('0 3 * * *'),
    BACKUP_CRON: z.string().default('0 2 * * *'),
    BACKUP_RETENTION: z
      .string()
      .default('7d,3m,3y')
      .transform((value, context) => {
        try {
          return parseBackupRetention(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    RESULT_STORAGE_MODE: z.enum(['json-only', 'dual-write', 'postgres-only']).default('postgres-only'),
    PARQUET_COMPRESSION: z.enum(['snappy', 'zstd', 'gzip', 'uncompressed']).default('snappy'),
    MARKET_DATA_CACHE_MB: z.coerce.number().min(0).default(512),
    API_HOST: z.string().default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_TOKEN: optionalText,
    SUBMISSIONS_PER_MINUTE: positiveInt(120),
    WORKER_METRICS_ADDRESS: z.string().default('127.0.0.1:9464'),
    NODE_ENV: z.string().default('development'),
    WORKER_ID: optionalText,
    WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
    WORKFLOW_BUNDLE: optionalText,
    FAILURE_WEBHOOK_URL: optionalText.pipe(z.url().optional()),
    ...storageEnvironmentShape,
    LOCAL_CACHE_DIR: optionalText,
    STRATEGIES_DIR: z
      .string()
      .default('./strategies')
      .transform((value) => resolve(value)),
    // Create S3_BUCKET at start when it is missing (a local MinIO); off for a bucket an operator manages.
    S3_CREATE_BUCKET: z.stringbool().default(false),
  })
  .superRefine(checkStorageEnvironment)
  .superRefine(checkTemporalTls);

/** mTLS needs both halves of the client's key pair; TLS cannot be switched off while TLS files or an API key are given. */
function checkTemporalTls(
  environment: {
    TEMPORAL_TLS_CERT?: string;
    TEMPORAL_TLS_KEY?: string;
    TEMPORAL_TLS_CA?: string;
    TEMPORAL_TLS?: boolean;
    TEMPORAL_API_KEY?: string;
  },
  context: z.RefinementCtx,
): void {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key } = environment;
  if (cert && !key) {
    context.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS_KEY'],
      message: 'TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: mTLS needs the client certificate and its private key',
    });
  }
  if (key && !cert) {
    context.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS_CERT'],
      message: 'TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not: mTLS needs the client certificate and its private key',
    });
  }
  const needsTls = cert || key || environment.TEMPORAL_TLS_CA || environment.TEMPORAL_API_KEY;
  if (environment.TEMPORAL_TLS === false && needsTls) {
    context.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS'],
      message: 'TEMPORAL_TLS=false contradicts TEMPORAL_TLS_CERT/KEY/CA or TEMPORAL_API_KEY, which need TLS',
    });
  }
}

export type Config = z.output<typeof environmentSchema>;

/** Parses the environment; a bad value exits with a message naming the variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid environment:\n${lines.join('\n')}`);
}
