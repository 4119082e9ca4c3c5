/**
 * `npm start` under a process manager: it comes up on its own ports and data root, and a SIGTERM, SIGINT or SIGHUP
 * to npm's own pid (not its process group, as a terminal's Ctrl-C would) takes the whole stack down in order, leaving
 * no process and no port behind. npm passes SIGINT and SIGTERM on to its child; it dies of SIGHUP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isPortFree, PROJECT_ROOT } from '../../scripts/lib/devServices';

/** Processes whose command line or environment names this data root: the stack's own. */
function processesOf(dataRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8');
      if (cmdline.includes(dataRoot) || environ.split('\0').includes(`DATA_ROOT=${dataRoot}`)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');

let npm: ChildProcess | undefined;

afterAll(() => {
  if (npm?.exitCode === null) npm.kill('SIGKILL');
});

it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
  'stops every process of the stack within 15 s of a %s to npm, and frees every port',
  async (signal) => {
    const scratch = mkdtempSync(join(process.env.TEST_SCRATCH!, 'npm-start-'));
    for (const folder of [process.env.TEST_SCRATCH!, scratch]) chmodSync(folder, 0o755);
    const dataRoot = join(scratch, 'data');
    cpSync(join(process.env.TEST_DATA_ROOT!, 'BTC_KRW'), join(dataRoot, 'BTC_KRW'), { recursive: true });
    const ports = {
      api: await freePort(),
      postgres: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
      metrics: await freePort(),
    };
    const { DATABASE_URL: _database, TEMPORAL_ADDRESS: _temporal, ...environment } = process.env;
    npm = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: {
        ...environment,
        DATA_ROOT: dataRoot,
        API_PORT: String(ports.api),
        EMBEDDED_POSTGRES_PORT: String(ports.postgres),
        TEMPORAL_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        WORKER_METRICS_ADDRESS: `127.0.0.1:${ports.metrics}`,
        WORKFLOW_BUNDLE: process.env.TEST_WORKFLOW_BUNDLE,
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (chunk) => (output += chunk));
    npm.stderr!.on('data', (chunk) => (output += chunk));
    const started = Date.now();
    while (!output.includes('Backtest platform is up')) {
      if (npm.exitCode !== null || Date.now() - started > 150_000) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const ready = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
    expect(ready.status).toBe(200);
    const stack = processesOf(dataRoot);
    // up.ts, the infrastructure host, PostgreSQL (several processes), Temporal, the worker and the API.
    expect(stack.length).toBeGreaterThanOrEqual(6);

    const signalled = Date.now();
    npm.kill(signal);
    let remaining = stack;
    let busyPorts = Object.values(ports);
    while (Date.now() - signalled < 15_000) {
      remaining = stack.filter(alive);
      busyPorts = [];
      for (const port of [ports.api, ports.postgres, ports.temporal, ports.ui]) if (!(await isPortFree(port))) busyPorts.push(port);
      if (remaining.length === 0 && busyPorts.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`the stack stopped ${Date.now() - signalled} ms after ${signal} to npm`);
    expect({ remaining, busyPorts }).toEqual({ remaining: [], busyPorts: [] });
    expect(output).toMatch(/stopping the API, the worker, Temporal and PostgreSQL, in that order/);
  },
  200_000,
);
