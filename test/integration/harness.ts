/**
 * One platform per test file, on the real services started by globalSetup: a Temporal client, a
 * worker in-process (prebuilt bundle) on its own task queue, the PostgreSQL repository, and the API app.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import pino from 'pino';
import type { Pool } from 'pg';
import type { ActivityDependencies } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { backtestWorkflowInput } from '../../src/api/routes/backtests';
import { backtestRequestSchema, type BacktestRequestInput } from '../../src/contracts/backtestRequest';
import { loadConfig, type Config } from '../../src/config';
import { createMarketData, createStore, prepareStore } from '../../src/services';
import { BacktestResultsRepository } from '../../src/storage/backtestResults';
import { ParameterSweepsRepository } from '../../src/storage/parameterSweeps';
import { createEvaluationPool } from '../../src/threads/evaluationPool';
import type { BlobStore } from '../../src/storage/providers';
import { createPool, runMigrations } from '../../src/storage/database';
import { readManifest, type Manifest } from '../../src/storage/manifest';
import { loadStrategies, loadStrategyRegistry } from '../../src/strategyPlugins';
import { connectClient, lazyApiClient } from '../../src/temporalConnection';
import { createBacktestWorker } from '../../src/worker';
import { backtestWorkflow } from '../../src/workflows/backtestWorkflow';
import globalSetup from './globalSetup';
import globalTeardown from './globalTeardown';

let runtimeInstalled = false;

export interface Harness {
  config: Config;
  client: Client;
  pool: Pool;
  repository: BacktestResultsRepository;
  sweeps: ParameterSweepsRepository;
  store: BlobStore;
  app: Express;
  worker: Worker;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Environment overrides (DATA_ROOT, TTLs, ...). */
  env?: Partial<Record<string, string>>;
  /** Lets a test put a faulty store or repository under the worker's activities (fault injection). */
  wrapActivityDependencies?: (dependencies: ActivityDependencies) => ActivityDependencies;
  /**
   * The worker's own strategy plugin folder, when it must differ from the API's STRATEGIES_DIR (a worker deployed
   * with other plugin files than the API).
   */
  workerStrategiesDir?: string;
}

export async function startHarness({
  env = {},
  wrapActivityDependencies = (d) => d,
  workerStrategiesDir,
}: HarnessOptions = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const config = loadConfig({
    DATA_ROOT: process.env.TEST_DATA_ROOT,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    NODE_ENV: 'test',
    ...env,
  });
  const logger = pino({ level: 'silent' });
  // As the API and the worker do at start; the API's registry becomes this process's (request validation).
  const strategies = await loadStrategies({ directory: config.STRATEGIES_DIR });
  const workerStrategies = workerStrategiesDir ? await loadStrategyRegistry({ directory: workerStrategiesDir }) : strategies;
  const pool = createPool(config.DATABASE_URL!);
  await runMigrations(pool);
  const repository = new BacktestResultsRepository(pool);
  const sweeps = new ParameterSweepsRepository(pool);
  const store = createStore(config);
  await prepareStore(store, config);
  const temporalSettings = { ...config, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS! };
  // The tests' own client waits as long as a workflow needs; the API's fails fast, as in production.
  const client = await connectClient(temporalSettings);
  const apiTemporal = lazyApiClient(temporalSettings);
  const evaluation = createEvaluationPool(2, workerStrategiesDir ?? config.STRATEGIES_DIR);
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
  const worker = await createBacktestWorker({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivities: 4,
    workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
    dependencies: wrapActivityDependencies({
      config,
      store,
      marketData: createMarketData(config, store, logger),
      repository,
      sweeps,
      evaluation,
      pool,
      logger,
      workerId: 'test-worker',
      strategies: workerStrategies,
    }),
  });
  const running = worker.run();
  const app = createApp({
    config,
    temporal: apiTemporal,
    pool,
    repository,
    sweeps,
    store,
    marketData: createMarketData(config, store, logger),
    logger,
    validateResponses: true,
  });
  return {
    config,
    client,
    pool,
    repository,
    sweeps,
    store,
    app,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await evaluation.close();
      await workerConnection.close();
      await client.connection.close();
      await apiTemporal.connection.close();
      await pool.end();
    },
  };
}

/** Polls until the predicate holds, failing with the last value seen. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** The Parquet files a manifest lists, with size and checksum: what two runs must agree on. */
export function parquetFilesOf(manifest: Manifest) {
  return manifest.result_files
    .filter((file) => file.name.endsWith('.parquet'))
    .map(({ name, size_bytes, checksum }) => ({ name, size_bytes, checksum }));
}

export async function readManifestOf(harness: Harness, taskId: string): Promise<Manifest> {
  const manifest = await readManifest(harness.store, taskId);
  if (!manifest) throw new Error(`task ${taskId} has no manifest.json`);
  return manifest;
}

export interface StartOptions {
  maxParallelSymbols?: number;
  /** Another worker's queue (default: this harness's worker). */
  taskQueue?: string;
}

/**
 * Starts backtestWorkflow on Temporal directly, bypassing the API (which would refuse, e.g., a symbol
 * without data): the request is validated and completed with defaults as the API does.
 */
export async function startBacktestWorkflow(
  harness: Harness,
  request: BacktestRequestInput,
  options: StartOptions = {},
): Promise<WorkflowHandle> {
  const taskId = randomUUID();
  const input = backtestWorkflowInput(taskId, backtestRequestSchema.parse(request), options.maxParallelSymbols ?? 2);
  return harness.client.workflow.start(backtestWorkflow, {
    taskQueue: options.taskQueue ?? harness.config.TEMPORAL_TASK_QUEUE,
    workflowId: taskId,
    args: [input],
  });
}

/** For scripts: brings the integration tests' real stack up around `work`, takes it down, and exits. */
export function runOnRealStack(work: () => Promise<void>): void {
  const run = async () => {
    await globalSetup();
    try {
      await work();
    } finally {
      await globalTeardown();
    }
  };
  run().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
