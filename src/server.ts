/** The API process: connects to Temporal and PostgreSQL, runs migrations, serves HTTP. */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createApp } from './api/app';
import { assertSafeBinding } from './api/auth';
import { loadConfig } from './config';
import { listMarketData } from './data/marketData';
import { createLogger } from './logger';
import { LocalBlobStore } from './storage/blobStore';
import { BacktestResultsRepository, createPool, runMigrations } from './storage/database';

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
  await runMigrations(pool);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({
    config,
    temporal,
    pool,
    repository: new BacktestResultsRepository(pool),
    store: new LocalBlobStore(config.DATA_ROOT),
    listMarketData: () => listMarketData(config.DATA_ROOT),
    logger,
  });
  const server = await listen(app, config.API_PORT, config.API_HOST);
  logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');
  const shutdown = () => {
    server.close(() => void Promise.all([connection.close(), pool.end()]).then(() => process.exit(0)));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
