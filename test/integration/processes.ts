/**
 * The platform's own processes for fault tests: workers and the API as real child processes (the entry
 * points `npm start` runs), ready when they say so over IPC, so a test can SIGTERM or SIGKILL them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, PROJECT_ROOT, stopProcess } from '../../scripts/lib/devServices';

export interface PlatformProcess {
  process: ChildProcess;
  /** Everything it printed on stderr so far (for failure messages). */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const READY_TIMEOUT_MS = 90_000;

/** Starts `entry` with the environment and waits for its `{ ready }` message (returned as `ready`). */
async function startProcess(
  entry: string,
  environment: Record<string, string | undefined>,
  args: string[] = [],
): Promise<PlatformProcess & { ready: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: PROJECT_ROOT,
    // STOP_WITH_PARENT: a test run that is killed leaves no API or worker running on.
    env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', NODE_ENV: 'test', STOP_WITH_PARENT: '1', ...environment },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready after ${READY_TIMEOUT_MS} ms:\n${stderr}`)), READY_TIMEOUT_MS);
    child.on('message', (message: { ready?: string }) => {
      if (!message?.ready) return;
      clearTimeout(timer);
      resolve(message as Record<string, string>);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  return { process: child, ready, stderr: () => stderr, stop: (signal = 'SIGTERM') => stopProcess(child, 60_000, signal), exited };
}

/**
 * An embedded PostgreSQL in a process of its own (the host `npm start` uses), so a test can stop it and
 * start it again on the same directory and port. Its `address` is the connection URL.
 */
export async function startPostgresProcess(
  databaseDir: string,
  port: number,
  database: string,
): Promise<PlatformProcess & { address: string }> {
  const host = await startProcess('scripts/lib/infrastructureHost.ts', {}, [JSON.stringify({ postgres: { databaseDir, port, database } })]);
  return { ...host, address: host.ready.postgres };
}

export interface StackAddresses {
  dataRoot: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
}

function stackEnvironment(stack: StackAddresses): Record<string, string> {
  return {
    DATA_ROOT: stack.dataRoot,
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    SCHEDULES_TASK_QUEUE: stack.taskQueue,
  };
}

/** A worker process on the stack's queue, with the prebuilt workflow bundle. */
export async function startWorkerProcess(stack: StackAddresses, environment: Record<string, string> = {}): Promise<PlatformProcess> {
  return startProcess('src/worker.ts', {
    ...stackEnvironment(stack),
    WORKFLOW_BUNDLE: process.env.TEST_WORKFLOW_BUNDLE,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    ...environment,
  });
}

/** An API process on a free port; `url` is its base URL. */
export async function startApiProcess(
  stack: StackAddresses,
  environment: Record<string, string> = {},
): Promise<PlatformProcess & { url: string }> {
  const port = await freePort();
  const api = await startProcess('src/server.ts', { ...stackEnvironment(stack), API_PORT: String(port), ...environment });
  return { ...api, url: `http://127.0.0.1:${port}` };
}
