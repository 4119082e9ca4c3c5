/** The worker process: hosts the workflows and the activities on its task queue. */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDependencies } from './activities';
import { loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { stopWithParent } from './stopWithParent';
import { ensureBackupSchedule, ensureCleanupSchedule, type ScheduleOutcome } from './schedules';
import { createMarketData, createStore, prepareStore } from './services';
import { BacktestResultsRepository } from './storage/backtestResults';
import { ParameterSweepsRepository } from './storage/parameterSweeps';
import { createEvaluationPool } from './threads/evaluationPool';
import { loadStrategies } from './strategyPlugins';
import { createPool, runMigrations } from './storage/database';
import { connectClient, temporalConnectionOptions } from './temporalConnection';

export interface BacktestWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  maxConcurrentActivities: number;
  /** How long running activities may go on after a shutdown request before they are cancelled. */
  shutdownGraceSeconds?: number;
  /** A prebuilt bundle (tests and `npm start` build one once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createBacktestWorker(options: BacktestWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.dependencies),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    // SIGTERM or SIGINT: stop polling, let running activities finish (or heartbeat) within the grace period.
    shutdownGraceTime: `${options.shutdownGraceSeconds ?? 0} seconds`,
    // The server learns a sweep chunk's resume point at least once a second (the SDK's default sends at most
    // every 0.8 x heartbeat timeout): after a crash, a retry redoes at most about a second of work.
    maxHeartbeatThrottleInterval: '1 second',
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
  });
}

const SDK_LOG_LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * The SDK's own log level: its warnings and errors by default (its INFO lines, such as the workflow
 * bundle's report, are for SDK debugging); LOG_LEVEL=debug or trace shows everything.
 */
function sdkLogLevel(pinoLevel: string): LogLevel {
  const level = pinoLevel.toUpperCase() as LogLevel;
  if (level === 'DEBUG' || level === 'TRACE') return level;
  return SDK_LOG_LEVELS.includes(level) && level !== 'INFO' ? level : level === 'INFO' ? 'WARN' : 'ERROR';
}

/** A worker started during an outage waits for its dependency instead of exiting. */
async function untilAvailable<T>(what: string, logger: Logger, attempt: () => Promise<T>): Promise<T> {
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      return await attempt();
    } catch (error) {
      logger.warn({ err: (error as Error).message, retry_in_ms: delayMs }, `waiting for ${what}`);
      await sleep(delayMs);
    }
  }
}

/**
 * The schedules belong to the queue the configuration names (SCHEDULES_TASK_QUEUE): its workers create
 * them or bring them in line with the configuration; a worker of another queue leaves them alone.
 */
export async function ensureSchedules(
  client: Client,
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'SCHEDULES_TASK_QUEUE' | 'CLEANUP_CRON' | 'BACKUP_CRON'>,
  logger: Pick<Logger, 'info'>,
): Promise<{ cleanup: ScheduleOutcome; backup: ScheduleOutcome } | 'left alone'> {
  if (config.TEMPORAL_TASK_QUEUE !== config.SCHEDULES_TASK_QUEUE) {
    logger.info({ schedules_task_queue: config.SCHEDULES_TASK_QUEUE }, 'schedules are managed by the workers of another queue');
    return 'left alone';
  }
  const cleanup = await ensureCleanupSchedule(client, config.CLEANUP_CRON, config.SCHEDULES_TASK_QUEUE);
  logger.info({ cron: config.CLEANUP_CRON, outcome: cleanup }, 'cleanup schedule ready');
  const backup = await ensureBackupSchedule(client, config.BACKUP_CRON, config.SCHEDULES_TASK_QUEUE);
  logger.info({ cron: config.BACKUP_CRON, outcome: backup }, 'backup schedule ready');
  return { cleanup, backup };
}

async function withClient<T>(address: string, config: Config, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient({ ...config, TEMPORAL_ADDRESS: address });
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker');
  Runtime.install({
    logger: new DefaultLogger(sdkLogLevel(logger.level)),
    // The SDK's own worker metrics (task slots, latencies, failures) for Prometheus.
    telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } },
  });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');
  }
  const temporalAddress = config.TEMPORAL_ADDRESS;
  const pool = createPool(config.DATABASE_URL, (error) => logger.warn({ err: error.message }, 'idle PostgreSQL connection lost'));
  await untilAvailable('PostgreSQL', logger, () => runMigrations(pool));
  await untilAvailable('Temporal', logger, () => withClient(temporalAddress, config, (client) => ensureSchedules(client, config, logger)));
  const connection = await untilAvailable('Temporal', logger, () =>
    NativeConnection.connect(temporalConnectionOptions({ ...config, TEMPORAL_ADDRESS: temporalAddress })),
  );
  const store = createStore(config);
  const strategies = await loadStrategies({ directory: config.STRATEGIES_DIR, logger });
  // the threads load the same plugins: each checks it has the version the activity checked
  const evaluation = createEvaluationPool(config.WORKER_THREADS, config.STRATEGIES_DIR);
  await untilAvailable('the store', logger, () => prepareStore(store, config));
  const worker = await createBacktestWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
    workflowBundle: config.WORKFLOW_BUNDLE ? { codePath: config.WORKFLOW_BUNDLE } : undefined,
    dependencies: {
      config,
      store,
      marketData: createMarketData(config, store, logger),
      repository: new BacktestResultsRepository(pool),
      sweeps: new ParameterSweepsRepository(pool),
      evaluation,
      pool,
      logger,
      workerId: config.WORKER_ID ?? `${hostname()}-${process.pid}`,
      strategies,
    },
  });
  // Worker.run resolves after SIGINT/SIGTERM: the SDK installs those handlers and drains in-flight tasks.
  const running = worker.run();
  stopWithParent(() => worker.shutdown());
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: temporalAddress }, 'worker started');
  process.send?.({ ready: 'worker' });
  await running;
  await evaluation.close();
  await connection.close();
  await pool.end();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
