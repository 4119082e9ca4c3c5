/** The API process: connects to Temporal and PostgreSQL, runs migrations, serves HTTP. */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './api/app';
import { assertSafeBinding } from './api/auth';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { createMarketData, createStore, prepareStore } from './services';
import { stopWithParent } from './stopWithParent';
import { loadStrategies } from './strategyPlugins';
import { BacktestResultsRepository } from './storage/backtestResults';
import { ParameterSweepsRepository } from './storage/parameterSweeps';
import { createPool, runMigrations } from './storage/database';
import { lazyApiClient } from './temporalConnection';

/** Listens, turning "port taken" into a message a person can act on. */
export function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${host} is already in use; stop the other process or set API_PORT`)
          : error,
      );
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  assertSafeBinding(config.API_HOST, config.API_TOKEN);
  const logger = createLogger('api');
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new Error('the API needs DATABASE_URL and TEMPORAL_ADDRESS (npm start sets both)');
  }
  const pool = createPool(config.DATABASE_URL, (error) => logger.warn({ err: error.message }, 'idle PostgreSQL connection lost'));
  // Started during a PostgreSQL outage, the API waits for it: its schema must be in place before any request.
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      await runMigrations(pool);
      break;
    } catch (error) {
      logger.warn({ err: (error as Error).message, retry_in_ms: delayMs }, 'waiting for PostgreSQL');
      await sleep(delayMs);
    }
  }
  // Before any request: requests are validated against the built-ins and these plugins.
  await loadStrategies({ directory: config.STRATEGIES_DIR, logger });
  // Lazy: the API serves (and answers 503 for what needs Temporal) even while Temporal is down.
  const temporal = lazyApiClient({ ...config, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS });
  const store = createStore(config);
  // A store that is down does not keep the API from serving (it answers 503 store_unavailable meanwhile).
  await prepareStore(store, config).catch((error) => logger.warn({ err: (error as Error).message }, 'the store could not be prepared'));
  const app = createApp({
    config,
    temporal,
    pool,
    repository: new BacktestResultsRepository(pool),
    sweeps: new ParameterSweepsRepository(pool),
    store,
    marketData: createMarketData(config, store, logger),
    logger,
  });
  const server = await listen(app, config.API_PORT, config.API_HOST);
  logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');
  process.send?.({ ready: 'api' });
  const shutdown = () => {
    server.close(() => void Promise.all([temporal.connection.close(), pool.end()]).then(() => process.exit(0)));
    // Keep-alive connections would hold close() open: end idle ones now, busy ones when they finish.
    server.closeIdleConnections();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  stopWithParent(shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
