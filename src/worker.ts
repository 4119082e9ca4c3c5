/** The worker process: hosts the workflows and the activities on the `backtests` task queue. */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { ensureCleanupSchedule } from './cleanupSchedule';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { LocalBlobStore } from './storage/blobStore';
import { BacktestResultsRepository, createPool, runMigrations } from './storage/database';

export interface BacktestWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  maxConcurrentActivities: number;
  /** A prebuilt bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createBacktestWorker(options: BacktestWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
  });
}

const SDK_LOG_LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The SDK's own log level following LOG_LEVEL (pino's fatal/silent have no SDK twin: ERROR). */
function sdkLogLevel(pinoLevel: string): LogLevel {
  const level = pinoLevel.toUpperCase() as LogLevel;
  return SDK_LOG_LEVELS.includes(level) ? level : 'ERROR';
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker');
  // The SDK's own worker metrics (task slots, latencies, failures) for Prometheus.
  Runtime.install({
    logger: new DefaultLogger(sdkLogLevel(logger.level)),
    telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } },
  });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');
  }
  const pool = createPool(config.DATABASE_URL, (error) => logger.warn({ err: error.message }, 'idle PostgreSQL connection lost'));
  await runMigrations(pool);
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const schedule = await ensureCleanupSchedule(client, config.CLEANUP_CRON, config.TEMPORAL_TASK_QUEUE);
  logger.info({ cron: config.CLEANUP_CRON, schedule }, 'cleanup schedule ready');
  await clientConnection.close();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createBacktestWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    dependencies: {
      config,
      store: new LocalBlobStore(config.DATA_ROOT),
      repository: new BacktestResultsRepository(pool),
      logger,
    },
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS }, 'worker started');
  // Worker.run resolves after SIGINT/SIGTERM: the SDK installs those handlers and drains in-flight tasks.
  await worker.run();
  await connection.close();
  await pool.end();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
