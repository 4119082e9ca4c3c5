/**
 * Starts the real infrastructure once for the integration suite: a Temporal dev server (headless,
 * in memory) and a fresh PostgreSQL database (the local server at 127.0.0.1:5432, or an embedded one),
 * sample market data, and the workflow bundle. Tests read the addresses from process.env.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { writeSampleData } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import { freePort, startEmbeddedPostgres, startTemporalDevServer, type RunningService } from '../../scripts/lib/devServices';

const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function createFreshDatabase(scratch: string): Promise<{ url: string; drop: () => Promise<void>; service?: RunningService }> {
  const name = `backtest_test_${Date.now()}_${process.pid}`;
  const admin = new PgClient({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch {
    const service = await startEmbeddedPostgres(join(scratch, 'pg'), await freePort(), name);
    return { url: service.address, drop: async () => undefined, service };
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new PgClient({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export default async function globalSetup(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'backtest-it-'));
  const dataRoot = join(scratch, 'data');
  const [temporal, database, bundle] = await Promise.all([
    startTemporalDevServer({ port: await freePort() }),
    createFreshDatabase(scratch),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: {
        log: () => undefined,
        info: () => undefined,
        warn: console.warn,
        error: console.error,
        debug: () => undefined,
        trace: () => undefined,
      },
    }),
    writeSampleData({
      store: new LocalBlobStore(dataRoot),
      symbols: ['BTC_KRW', 'ETH_KRW', 'XRP_KRW'],
      timeframes: ['1d', '1h'],
      startDate: '2021-01-01',
      endDate: '2024-12-31',
    }),
  ]);
  const bundlePath = join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_DATABASE_URL = database.url;
  process.env.TEST_DATA_ROOT = dataRoot;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_SCRATCH = scratch;
  (globalThis as Record<string, unknown>).__integration = { temporal, database };
}
