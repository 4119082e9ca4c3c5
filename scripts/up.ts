/**
 * `npm start`: brings the whole platform up on embedded defaults (PostgreSQL, Temporal dev server with
 * its Web UI, sample data, worker, API), prints the addresses, and takes it all down on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { listSymbols } from '../src/data/layout';
import { writeSampleData } from '../src/data/sampleData';
import { createStore } from '../src/services';
import {
  assertPortFree,
  EMBEDDED_POSTGRES_PORT,
  PROJECT_ROOT,
  startEmbeddedPostgres,
  startTemporalDevServer,
  stopProcess,
  type RunningService,
} from './lib/devServices';

const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;

const services: RunningService[] = [];
const children: ChildProcess[] = [];
let stopping = false;

async function shutdown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping ...');
    await Promise.all(children.map((child) => stopProcess(child)));
    for (const service of services.reverse()) await service.stop().catch((error) => console.error(error));
  }
  process.exit(exitCode);
}

function startNodeProcess(name: string, entry: string, environment: NodeJS.ProcessEnv): ChildProcess {
  // tsx as a loader (not its CLI wrapper), so signals reach the process itself.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env: environment,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); stopping everything`);
    void shutdown(1);
  });
  children.push(child);
  return child;
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not report ready within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const config = loadConfig();
  mkdirSync(config.DATA_ROOT, { recursive: true });
  await assertPortFree(config.API_PORT, 'API', 'Stop the other process or choose another port with API_PORT=...');

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    await assertPortFree(
      EMBEDDED_POSTGRES_PORT,
      'embedded PostgreSQL',
      'Is the platform already running? Otherwise set EMBEDDED_POSTGRES_PORT or DATABASE_URL.',
    );
    const postgres = await startEmbeddedPostgres(join(config.DATA_ROOT, 'pg'), EMBEDDED_POSTGRES_PORT, 'backtests');
    services.push(postgres);
    databaseUrl = postgres.address;
  }

  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const hint = 'Is the platform (or another Temporal dev server) already running? Otherwise set TEMPORAL_ADDRESS to use it.';
    await assertPortFree(TEMPORAL_PORT, 'Temporal frontend', hint);
    await assertPortFree(TEMPORAL_UI_PORT, 'Temporal Web UI', hint);
    const temporal = await startTemporalDevServer({
      port: TEMPORAL_PORT,
      uiPort: TEMPORAL_UI_PORT,
      dbFile: join(config.DATA_ROOT, 'temporal.db'),
    });
    services.push(temporal);
    temporalAddress = temporal.address;
  }

  const store = createStore(config);
  if ((await listSymbols(store)).length === 0) {
    console.log(`no market data in ${store.description}: generating sample data ...`);
    await writeSampleData({ store });
  }

  const environment = { ...process.env, DATA_ROOT: config.DATA_ROOT, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress };
  startNodeProcess('worker', 'src/worker.ts', environment);
  startNodeProcess('api', 'src/server.ts', environment);
  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  await waitUntilReady(`${apiUrl}/readyz`, 120_000);

  console.log(`
  Backtest platform is up.
    API + web page   ${apiUrl}            (try: curl ${apiUrl}/api/data/symbols)
    Temporal Web UI  ${config.TEMPORAL_ADDRESS ? config.TEMPORAL_UI_URL : `http://localhost:${TEMPORAL_UI_PORT}`}
    Temporal         ${temporalAddress}
    PostgreSQL       ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}
    Data root        ${config.DATA_ROOT}
  Press Ctrl-C to stop everything.
`);
}

main().catch(async (error) => {
  console.error(`start failed: ${error instanceof Error ? error.message : error}`);
  await shutdown(1);
});
