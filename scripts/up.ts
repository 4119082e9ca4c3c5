/**
 * `npm start`: brings the whole platform up on embedded defaults (PostgreSQL, Temporal dev server with
 * its Web UI, sample data, worker, API), prints the addresses once all of it is ready, and takes it down
 * in order on SIGINT, SIGTERM or SIGHUP, or when npm itself goes away: the API first, then the worker
 * (its running activities get a grace period), then Temporal, then PostgreSQL. Every child runs in its own
 * process group, so a terminal's Ctrl-C reaches this launcher only and the order holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { listSymbols } from '../src/data/layout';
import { writeSampleData } from '../src/data/sampleData';
import { createStore, prepareStore } from '../src/services';
import { onParentExit } from '../src/stopWithParent';
import { assertPortFree, EMBEDDED_POSTGRES_PORT, PROJECT_ROOT } from './lib/devServices';
import type { InfrastructureReady, InfrastructureRequest } from './lib/infrastructureHost';

const TEMPORAL_PORT = Number(process.env.TEMPORAL_PORT ?? 7233);
const TEMPORAL_UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
const READY_TIMEOUT_MS = 180_000;

interface Child {
  name: string;
  process: ChildProcess;
  /** How long it may take to stop after SIGTERM before it is killed. */
  stopGraceMs: number;
}

/** In stopping order: the API, the worker, the infrastructure. */
const children: Child[] = [];
/** The ordered stop, once begun. */
let stopped: Promise<never> | undefined;

/** SIGTERM, then SIGKILL to its whole process group if it lingers. */
function stopChild({ process: child, stopGraceMs }: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, stopGraceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Stops everything in order, then exits. Only the first call counts: a terminal's Ctrl-C reaches this process twice
 * (from the terminal and passed on by npm), and a second signal must not cut the ordered stop short.
 */
function shutdown(exitCode: number, reason: string): Promise<never> {
  stopped ??= (async () => {
    console.log(`\n${reason}: stopping the API, the worker, Temporal and PostgreSQL, in that order ...`);
    const order = ['api', 'worker', 'infrastructure'];
    for (const name of order) {
      for (const child of children.filter((candidate) => candidate.name === name)) await stopChild(child);
    }
    console.log('stopped');
    return process.exit(exitCode);
  })();
  return stopped;
}

function spawnChild(name: string, entry: string, args: string[], environment: NodeJS.ProcessEnv, stopGraceMs: number): ChildProcess {
  // tsx as a loader (not its CLI wrapper), so signals reach the process itself; IPC for "ready".
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...environment, STOP_WITH_PARENT: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  child.once('exit', (code, signal) => {
    if (!stopped) void shutdown(1, `${name} exited (${signal ?? `code ${code}`})`);
  });
  children.push({ name, process: child, stopGraceMs });
  return child;
}

/** The first IPC message a child sends with `ready`, or an error when it exits or takes too long. */
function readyMessage<T extends { ready: string }>(child: ChildProcess, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not report ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.on('message', (message: T) => {
      if (!message?.ready) return;
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', () => reject(new Error(`${name} exited before it was ready`)));
  });
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0, `${signal} received`));
  // npm passes SIGINT and SIGTERM on to this process (its child: start.sh execs it); when npm is gone otherwise
  // (SIGHUP, SIGKILL), stop too.
  onParentExit(() => void shutdown(0, 'npm exited'));
  const config = loadConfig();
  mkdirSync(config.DATA_ROOT, { recursive: true });
  await assertPortFree(config.API_PORT, 'API', 'Stop the other process or choose another port with API_PORT=...');

  const infrastructure: InfrastructureRequest = {};
  if (!config.DATABASE_URL) {
    await assertPortFree(
      EMBEDDED_POSTGRES_PORT,
      'embedded PostgreSQL',
      'Is the platform already running? Otherwise set EMBEDDED_POSTGRES_PORT or DATABASE_URL.',
    );
    infrastructure.postgres = { databaseDir: join(config.DATA_ROOT, 'pg'), port: EMBEDDED_POSTGRES_PORT, database: 'backtests' };
  }
  if (!config.TEMPORAL_ADDRESS) {
    const hint = 'Is the platform (or another Temporal dev server) already running? Otherwise set TEMPORAL_ADDRESS to use it.';
    await assertPortFree(TEMPORAL_PORT, 'Temporal frontend', hint);
    await assertPortFree(TEMPORAL_UI_PORT, 'Temporal Web UI', hint);
    infrastructure.temporal = { port: TEMPORAL_PORT, uiPort: TEMPORAL_UI_PORT, dbFile: join(config.DATA_ROOT, 'temporal.db') };
  }
  let databaseUrl = config.DATABASE_URL;
  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (infrastructure.postgres || infrastructure.temporal) {
    const host = spawnChild('infrastructure', 'scripts/lib/infrastructureHost.ts', [JSON.stringify(infrastructure)], process.env, 30_000);
    const ready = await readyMessage<InfrastructureReady>(host, 'PostgreSQL and Temporal');
    databaseUrl ??= ready.postgres;
    temporalAddress ??= ready.temporal;
  }

  const store = createStore(config);
  await prepareStore(store, config);
  if ((await listSymbols(store)).length === 0) {
    console.log(`no market data in ${store.description}: generating sample data ...`);
    await writeSampleData({ store });
  }

  const environment = { ...process.env, DATA_ROOT: config.DATA_ROOT, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress };
  const worker = spawnChild('worker', 'src/worker.ts', [], environment, (config.WORKER_SHUTDOWN_GRACE_SECONDS + 15) * 1000);
  const api = spawnChild('api', 'src/server.ts', [], environment, 15_000);
  await Promise.all([readyMessage(worker, 'the worker'), readyMessage(api, 'the API')]);

  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  console.log(`
  Backtest platform is up.
    API + web page   ${apiUrl}            (try: curl ${apiUrl}/api/data/symbols)
    Temporal Web UI  ${config.TEMPORAL_ADDRESS ? config.TEMPORAL_UI_URL : `http://localhost:${TEMPORAL_UI_PORT}`}
    Temporal         ${temporalAddress}
    PostgreSQL       ${databaseUrl!.replace(/:[^:@/]+@/, ':***@')}
    Store            ${store.description}
  Press Ctrl-C to stop everything.
`);
}

main().catch(async (error) => {
  await shutdown(1, `start failed: ${error instanceof Error ? error.message : error}`);
});
