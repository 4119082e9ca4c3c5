/**
 * The `backtest` command-line client as a user runs it: bin/backtest in a child process, talking over
 * HTTP to the real API app on a real port, on the real Temporal server and PostgreSQL. Assertions are on
 * what a script sees: stdout, stderr and the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeSampleData } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import type { BacktestRequestInput } from '../../src/contracts/backtestRequest';
import { startBacktestWorkflow, startHarness, waitFor, type Harness } from './harness';

const BIN = join(__dirname, '..', '..', 'bin', 'backtest');
/** Enough hourly symbols, run one at a time, that a task stays running while a test acts on it. */
const SLOW_SYMBOLS = Array.from({ length: 30 }, (_, index) => `S${String(index).padStart(2, '0')}_KRW`);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let harness: Harness;
let api: Server;
let apiUrl: string;

beforeAll(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'cli-'));
  await writeSampleData({
    store: new LocalBlobStore(dataRoot),
    symbols: ['BTC_KRW', 'ETH_KRW'],
    timeframes: ['1d'],
    startDate: '2023-01-01',
    endDate: '2024-12-31',
  });
  await writeSampleData({
    store: new LocalBlobStore(dataRoot),
    symbols: SLOW_SYMBOLS,
    timeframes: ['1h'],
    startDate: '2023-01-01',
    endDate: '2024-12-31',
  });
  harness = await startHarness({ env: { DATA_ROOT: dataRoot, MAX_PARALLEL_SYMBOLS: '1' } });
  api = await listen(harness.app.listen(0, '127.0.0.1'));
  apiUrl = urlOf(api);
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await harness?.stop();
});

async function listen(server: Server): Promise<Server> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  finished: Promise<Finished>;
}

/** Starts bin/backtest with the API URL in the environment (and no API_TOKEN of the caller's). */
function start(args: string[], env: Record<string, string> = {}): Running {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, BACKTEST_API_URL: apiUrl, ...env };
  if (!('API_TOKEN' in env)) delete childEnv.API_TOKEN;
  const child = spawn(process.execPath, [BIN, ...args], { env: childEnv });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => (output.stdout += chunk));
  child.stderr!.on('data', (chunk) => (output.stderr += chunk));
  const finished = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, ...output })));
  return { child, output, finished };
}

function backtest(args: string[], env?: Record<string, string>): Promise<Finished> {
  return start(args, env).finished;
}

const twoSymbolRun = [
  'run',
  '--strategy',
  'volume_zone_breakout',
  '--symbols',
  'BTC_KRW,ETH_KRW',
  '--from',
  '2023-01-01',
  '--to',
  '2024-12-31',
  '--timeframe',
  '1d',
];
const slowRun = [
  'run',
  '--strategy',
  'volume_zone_breakout',
  '--symbols',
  SLOW_SYMBOLS.join(','),
  '--from',
  '2023-01-01',
  '--to',
  '2024-12-31',
  '--timeframe',
  '1h',
];

describe('backtest run', () => {
  let completedTaskId: string;

  it('follows a task to completion and prints the summary table of both symbols', async () => {
    const { code, stdout, stderr } = await backtest([...twoSymbolRun, '--param', 'volume_window=30', '--param', 'fee_rate=0.001']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    completedTaskId = stdout.match(new RegExp(`^task (${UUID.source}) submitted$`, 'm'))![1];

    // progress lines (stdout is a pipe here, so no bars), then the outcome
    expect(stdout).toMatch(/^BTC_KRW completed 100%$/m);
    expect(stdout).toMatch(/^task completed$/m);
    expect(stdout).toMatch(/^symbol +signals +win % +avg ret % +total PnL % +max DD % +sharpe/m);
    expect(stdout).toMatch(/^BTC_KRW +\d+ +[\d.]+ /m);
    expect(stdout).toMatch(/^ETH_KRW +\d+ +[\d.]+ /m);
    expect(stdout).toContain(`result    tasks/${completedTaskId}`);
    expect(stdout).toMatch(new RegExp(`^temporal  http.*/workflows/${completedTaskId}$`, 'm'));

    const manifest = await harness.store.get(`tasks/${completedTaskId}/manifest.json`);
    expect(JSON.parse(manifest.toString()).params).toMatchObject({ volume_window: 30, fee_rate: 0.001 });
  }, 60_000);

  it('prints the final status and summary as JSON with --json', async () => {
    const { code, stdout } = await backtest([...twoSymbolRun, '--json']);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.status).toMatchObject({ status: 'completed', progress: 1, result_path: `tasks/${body.status.task_id}` });
    expect(body.summary.map((row: { symbol: string }) => row.symbol)).toEqual(['BTC_KRW', 'ETH_KRW']);
  }, 60_000);

  it('returns at once with the task id with --no-wait', async () => {
    const { code, stdout } = await backtest([...twoSymbolRun, '--no-wait', '--json']);
    expect(code).toBe(0);
    const submission = JSON.parse(stdout);
    expect(submission).toMatchObject({ status: 'queued', task_id: expect.stringMatching(UUID) });
    await waitFor(
      () => backtest(['show', submission.task_id]),
      (shown) => /^status +completed/m.test(shown.stdout),
    );
  }, 60_000);

  it('exits 2 and names each invalid field when the API refuses the request (422)', async () => {
    const refused = await backtest([
      'run',
      '--strategy',
      'no_such_strategy',
      '--symbols',
      'BTC_KRW',
      '--from',
      '2024-01-01',
      '--to',
      '2023-01-01',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/422 validation_failed/);
    expect(refused.stderr).toMatch(/^ {2}strategy: unknown strategy "no_such_strategy"/m);
    expect(refused.stderr).toMatch(/^ {2}end_date: end_date 2023-01-01 is before start_date 2024-01-01/m);

    const unknownSymbol = await backtest([...twoSymbolRun.slice(0, 4), 'NOPE_KRW', ...twoSymbolRun.slice(5)]);
    expect(unknownSymbol.code).toBe(2);
    expect(unknownSymbol.stderr).toMatch(/^ {2}symbols\.0: unknown symbol NOPE_KRW/m);
  }, 30_000);

  it('exits 2 on a usage error without calling the API', async () => {
    const { code, stderr } = await backtest(['run', '--strategy', 'volume_zone_breakout', '--param', 'volume_window'], {
      BACKTEST_API_URL: 'http://127.0.0.1:9',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/expected key=value|required option/);
  });

  describe('after a completed run', () => {
    it('shows the task with its symbols and summary', async () => {
      const { code, stdout } = await backtest(['show', completedTaskId]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^status +completed \(100%\)$/m);
      expect(stdout).toMatch(/^ETH_KRW +completed +100% +—$/m);
      expect(stdout).toMatch(/^symbol +signals +win %/m);
      const json = JSON.parse((await backtest(['show', completedTaskId, '--json'])).stdout);
      expect(json.summary).toHaveLength(2);
    });

    it('lists the task', async () => {
      const { code, stdout } = await backtest(['list', '--status', 'completed', '--limit', '200']);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(`^${completedTaskId} +completed +volume_zone_breakout +BTC_KRW,ETH_KRW +1d +2023-01-01 \\.\\. 2024-12-31`, 'm'),
      );
      const json = JSON.parse((await backtest(['list', '--json', '--symbol', 'ETH_KRW', '--limit', '200'])).stdout);
      expect(json.items.map((item: { task_id: string }) => item.task_id)).toContain(completedTaskId);
    });

    it('pins and unpins the task, and the list shows it', async () => {
      expect(await backtest(['pin', completedTaskId])).toMatchObject({
        code: 0,
        stdout: `task ${completedTaskId} pinned: cleanup keeps it\n`,
      });
      expect((await harness.repository.get(completedTaskId))?.metadata.pinned).toBe(true);
      const listed = await backtest(['list', '--status', 'completed', '--limit', '200']);
      expect(listed.stdout).toMatch(new RegExp(`^${completedTaskId} .* yes$`, 'm'));
      expect((await backtest(['unpin', completedTaskId])).code).toBe(0);
      expect((await harness.repository.get(completedTaskId))?.metadata.pinned).toBe(false);
    });

    it('exits 2 with the API message when cancelling a finished task', async () => {
      const { code, stderr } = await backtest(['cancel', completedTaskId]);
      expect(code).toBe(2);
      expect(stderr).toContain(`task ${completedTaskId} is completed; only a running task can be cancelled (409 task_not_running)`);
    });
  });
});

describe('backtest show', () => {
  it('exits 2 for an unknown task', async () => {
    const { code, stderr } = await backtest(['show', randomUUID()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: no task .* \(404 task_not_found\)$/m);
  });

  it('exits 1 for a task where every symbol failed, and shows why', async () => {
    // The API refuses unknown symbols, so this task is started on Temporal directly (without the API's memo).
    const request: BacktestRequestInput = {
      strategy: 'volume_zone_breakout',
      symbols: ['MISSING_KRW'],
      start_date: '2024-01-01',
      end_date: '2024-01-31',
      timeframe: '1d',
    };
    const handle = await startBacktestWorkflow(harness, request);
    await handle.result();
    const taskId = handle.workflowId;
    const { code, stdout, stderr } = await backtest(['show', taskId]);
    expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
    expect(stdout).toMatch(/^status +failed/m);
    expect(stdout).toMatch(/^MISSING_KRW +failed +100% +.*MISSING_KRW/m);
  }, 30_000);
});

describe('a long task', () => {
  it('run exits 1 when the task is cancelled while it waits', async () => {
    const running = start(slowRun);
    const { output } = running;
    await waitFor(
      async () => output.stdout,
      (stdout) => / completed 100%$/m.test(stdout),
      30_000,
    );
    const taskId = output.stdout.match(UUID)![0];

    const cancel = await backtest(['cancel', taskId]);
    expect(cancel).toMatchObject({ code: 0, stdout: `task ${taskId} cancelling; follow it with: backtest show ${taskId}\n` });

    const { code, stdout } = await running.finished;
    expect(code).toBe(1);
    expect(stdout).toMatch(/^task cancelled: cancelled by request$/m);
    expect(stdout).toContain(`result    —`);
    expect((await backtest(['show', taskId])).code).toBe(1);
  }, 60_000);

  it('Ctrl-C stops waiting, leaves the task running and says how to follow or cancel it', async () => {
    const running = start(slowRun);
    await waitFor(
      async () => running.output.stdout,
      (stdout) => /submitted$/m.test(stdout),
      30_000,
    );
    const taskId = running.output.stdout.match(UUID)![0];
    running.child.kill('SIGINT');
    const { code, stderr } = await running.finished;
    expect(code).toBe(130);
    expect(stderr).toContain(`task ${taskId} keeps running`);
    expect(stderr).toContain(`backtest show ${taskId}`);
    expect(stderr).toContain(`backtest cancel ${taskId}`);

    expect((await backtest(['show', taskId])).stdout).toMatch(/^status +(queued|running)/m);
    expect((await backtest(['cancel', taskId])).code).toBe(0);
  }, 60_000);
});

describe('backtest delete', () => {
  it('refuses a running task, then deletes it once cancelled; a second delete finds nothing', async () => {
    const submitted = await backtest([...slowRun, '--no-wait']);
    const taskId = submitted.stdout.match(UUID)![0];
    await waitFor(
      () => harness.repository.get(taskId),
      (row) => row !== undefined,
      30_000,
    );

    const refused = await backtest(['delete', taskId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`task ${taskId} is still running; cancel it first (409 task_running)`);

    expect((await backtest(['cancel', taskId])).code).toBe(0);
    await waitFor(
      () => backtest(['show', taskId]),
      ({ stdout }) => /^status +cancelled/m.test(stdout),
      30_000,
    );
    expect(await backtest(['delete', taskId])).toMatchObject({
      code: 0,
      stdout: `task ${taskId} deleted: its result files and row are gone\n`,
    });
    expect(existsSync(join(harness.config.DATA_ROOT, 'tasks', taskId))).toBe(false);
    expect(await harness.repository.get(taskId)).toBeUndefined();

    const again = await backtest(['delete', taskId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\(404 task_not_found\)$/m);
  }, 60_000);
});

/** Command-line words of a line without quoted spaces. */
const words = (line: string) => line.split(' ');

/** The sweeps take what the runs take after their command, and a fixed parameter. */
const dailyRange = [...twoSymbolRun.slice(5), '--param', 'fee_rate=0.001'];
const twoSymbolSweep = [
  'sweep',
  ...twoSymbolRun.slice(1, 5),
  ...dailyRange,
  ...words('--grid volume_window=20,40 --grid breakout_buffer=0:0.02:0.01 --objective total_pnl_pct'),
];
const oneSymbolSweep = ['sweep', '--strategy', 'volume_zone_breakout', '--symbols', 'BTC_KRW', ...dailyRange];
/** Enough evaluations (30 hourly symbols x 1,100 combinations) that a sweep stays running while a test acts on it. */
const slowSweep = [
  'sweep',
  ...slowRun.slice(1),
  ...words('--grid volume_window=10:200:10 --grid breakout_buffer=0:0.02:0.002 --grid hold_period_bars=1:5:1 --objective sharpe'),
];

async function getJson(path: string): Promise<any> {
  const response = await fetch(`${apiUrl}${path}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** The line numbers of `lines` in `text`, in the order given. */
function lineNumbers(text: string, lines: RegExp[]): number[] {
  const textLines = text.split('\n');
  return lines.map((line) => textLines.findIndex((candidate) => line.test(candidate)));
}

describe('backtest sweep', () => {
  let sweepId: string;

  it('follows a sweep over both forms of --grid to completion and prints the best combinations', async () => {
    const { code, stdout, stderr } = await backtest([...twoSymbolSweep, '--top', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    sweepId = stdout.match(new RegExp(`^sweep (${UUID.source}) submitted: 6 combinations, 12 evaluations$`, 'm'))![1];
    const status = await getJson(`/api/sweeps/${sweepId}`);
    expect(status.grid).toEqual({ breakout_buffer: [0, 0.01, 0.02], volume_window: [20, 40] });
    expect(status.params.fee_rate).toBe(0.001);

    // progress lines (stdout is a pipe here, so no bar), then the outcome
    const { best } = status;
    const bestParams = `breakout_buffer=${best.params.breakout_buffer} volume_window=${best.params.volume_window}`;
    expect(stdout).toContain(`\ncompleted 100% (12/12 evaluations), best total_pnl_pct ${best.objective.toFixed(2)} at ${bestParams}\n`);
    expect(stdout).toMatch(/^sweep completed$/m);
    expect(stdout).toMatch(/^top 6 of 6 combinations by total_pnl_pct \(max\), mean over 2 symbols:$/m);
    expect(stdout).toMatch(/^rank +combo +breakout_buffer +volume_window +total_pnl_pct mean +total_pnl_pct min +trades +ranked 1st$/m);
    // the API's combinations, best first, one line each
    const { rows } = await getJson(`/api/sweeps/${sweepId}/results?symbol=all&limit=10`);
    const expected = rows.map(
      (row: any) =>
        new RegExp(`^ *${row.rank} +${row.combo_id} +${row.breakout_buffer} +${row.volume_window} +${row.objective_mean.toFixed(2)} `),
    );
    const found = lineNumbers(stdout, expected);
    expect(found.every((line) => line > 0)).toBe(true);
    expect(found).toEqual([...found].sort((a, b) => a - b));

    expect(status.materialized_tasks).toHaveLength(1);
    expect(stdout).toContain(`the best combinations as backtests (backtest show <task_id>):\n  ${status.materialized_tasks[0]}`);
    expect(stdout).toContain(`result    sweeps/${sweepId}`);
    expect(stdout).toMatch(new RegExp(`^temporal  http.*/workflows/${sweepId}$`, 'm'));
  }, 60_000);

  it('prints the final status and the best rows of one symbol with every metric as JSON with --json', async () => {
    const { code, stdout } = await backtest([
      ...oneSymbolSweep,
      ...words('--grid volume_window=20,30,40 --grid breakout_buffer=0,0.01 --objective cagr --min-trades 2 --random 4 --seed 7 --json'),
    ]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.status).toMatchObject({
      status: 'completed',
      combinations: 4,
      evaluations: 4,
      search: { method: 'random', samples: 4, seed: 7 },
      objective: { metric: 'cagr', direction: 'max', min_trades: 2 },
    });
    expect(body.top).toMatchObject({ table: 'sweep_results', total: 4 });
    expect(body.top.rows.map((row: any) => row.rank)).toEqual([1, 2, 3, 4]);
    expect(body.top.rows[0]).toMatchObject({ symbol: 'BTC_KRW', fold: null });
    expect(Object.keys(body.top.rows[0])).toEqual(
      expect.arrayContaining(['combo_id', 'breakout_buffer', 'volume_window', 'cagr', 'sharpe']),
    );
    expect(body.walk_forward).toBeNull();

    // the same sweep as a table: the objective's column beside the summary metrics
    const shown = await backtest(['sweeps', 'show', body.status.sweep_id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^swept +breakout_buffer \(2\) x volume_window \(3\); random: 4 combinations drawn with seed 7$/m);
    expect(shown.stdout).toMatch(/^top 4 of 4 combinations by cagr \(max\), on BTC_KRW; fewer than 2 closed trades rank last:$/m);
    expect(shown.stdout).toMatch(/^rank +combo +breakout_buffer +volume_window +cagr +signals +win % +avg ret % +total PnL %/m);
  }, 60_000);

  it('shows the walk-forward folds, the efficiency and the stitched curve', async () => {
    const { code, stdout } = await backtest([
      ...oneSymbolSweep,
      ...words('--grid volume_window=20,40 --grid hold_period_bars=1:3:2 --objective total_pnl_pct --walk-forward folds=2,in_sample=70'),
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^top 4 of 4 combinations by total_pnl_pct \(max\), mean over 1 symbol x 2 in-sample folds:$/m);
    expect(stdout).toMatch(/^walk-forward \(2 folds, 70% in sample, rolling\): /m);
    expect(stdout).toMatch(
      /^symbol +fold +in sample +out of sample +combo +hold_period_bars +volume_window +IS total_pnl_pct +OOS total_pnl_pct/m,
    );
    // 731 daily candles: windows [0, 365) and [365, 731), the first 70 % of each in sample
    expect(stdout).toMatch(/^BTC_KRW +0 +2023-01-01 \.\. 2023-09-12 +2023-09-13 \.\. 2023-12-31 +\d+ +[13] +[24]0 /m);
    expect(stdout).toMatch(/^BTC_KRW +1 +2024-01-01 \.\. 2024-09-12 +2024-09-13 \.\. 2024-12-31 +\d+ +[13] +[24]0 /m);
    expect(stdout).toMatch(/^walk-forward efficiency: (-?\d+\.\d\d|—) \(mean over folds/m);
    expect(stdout).toMatch(/^the stitched out-of-sample curve:\nsymbol +signals +win %/m);
    expect(stdout).toMatch(/^BTC_KRW +\d+ +[\d.]+ /m);
  }, 60_000);

  it.each([
    ['a name without values', 'volume_window'],
    ['a range of two numbers', 'volume_window=10:20'],
    ['a range that is not numbers', 'volume_window=10:x:5'],
    ['an empty value in a list', 'volume_window=10,,20'],
  ])('exits 2 naming --grid for %s, without calling the API', async (_name, grid) => {
    const { code, stdout, stderr } = await backtest([...oneSymbolSweep, '--objective', 'sharpe', '--grid', grid], {
      BACKTEST_API_URL: 'http://127.0.0.1:9',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`option '--grid <name=values>' argument '${grid}' is invalid`);
  });

  it('exits 2 on a usage error of its other options', async () => {
    const usage = (args: string[]) =>
      backtest([...oneSymbolSweep, '--grid', 'volume_window=20,40', ...args], { BACKTEST_API_URL: 'http://127.0.0.1:9' });
    expect((await usage(['--objective', 'sharpe:up'])).stderr).toContain(
      "option '--objective <metric[:max|min]>' argument 'sharpe:up' is invalid",
    );
    expect((await usage(['--objective', 'sharpe', '--walk-forward', 'folds=5'])).stderr).toContain(
      'expected folds=N,in_sample=PCT[,anchored]',
    );
    expect((await usage(['--objective', 'sharpe', '--seed', '3'])).stderr).toContain('--seed <s> needs --random <n>');
    const missing = await usage([]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '--objective <metric[:max|min]>' not specified"),
    });
  });

  it('exits 2 and names each invalid field when the API refuses the sweep (422)', async () => {
    const refused = await backtest([
      ...oneSymbolSweep,
      ...words('--param breakout_buffer=0.01 --grid volume_window=20,1 --grid breakout_buffer=0,0.01 --objective happiness'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/422 validation_failed/);
    expect(refused.stderr).toMatch(/^ {2}objective\.metric: unknown metric "happiness"; one of /m);
    expect(refused.stderr).toMatch(/^ {2}grid\.volume_window\.1: 1: /m);
    expect(refused.stderr).toMatch(/^ {2}grid\.breakout_buffer: breakout_buffer is both fixed in params and swept in grid/m);
  }, 30_000);

  describe('after a completed sweep', () => {
    it('lists the sweep', async () => {
      const { code, stdout } = await backtest(['sweeps', 'list', '--status', 'completed', '--limit', '200']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^sweep +status +strategy +symbols +tf +range +created +pinned +combos +best$/m);
      expect(stdout).toMatch(
        new RegExp(
          `^${sweepId} +completed +volume_zone_breakout +BTC_KRW,ETH_KRW +1d +2023-01-01 \\.\\. 2024-12-31 +\\S+ +— +6 +-?\\d+\\.\\d\\d \\(combo \\d\\)$`,
          'm',
        ),
      );
      const json = JSON.parse((await backtest(['sweeps', 'list', '--json', '--symbol', 'ETH_KRW', '--limit', '200'])).stdout);
      expect(json.items.map((item: { sweep_id: string }) => item.sweep_id)).toContain(sweepId);
    });

    it('shows the request, its state and the best combinations', async () => {
      const { code, stdout } = await backtest(['sweeps', 'show', sweepId]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^symbols +2 \(1d, 2023-01-01 \.\. 2024-12-31\)$/m);
      expect(stdout).toMatch(/^swept +breakout_buffer \(3\) x volume_window \(2\); grid: all 6 combinations$/m);
      expect(stdout).toMatch(/^fixed +.*fee_rate=0\.001/m);
      expect(stdout).toMatch(/^objective +total_pnl_pct \(max\), at least 1 closed trade to rank first$/m);
      expect(stdout).toMatch(/^status +completed \(100%, 12\/12 evaluations\)$/m);
      expect(stdout).toMatch(/^best +total_pnl_pct -?\d+\.\d\d at breakout_buffer=/m);
      expect(stdout).toMatch(/^rank +combo +breakout_buffer +volume_window +total_pnl_pct mean/m);
      const json = JSON.parse((await backtest(['sweeps', 'show', sweepId, '--json'])).stdout);
      expect(json.status.sweep_id).toBe(sweepId);
      expect(json.top.rows).toHaveLength(6);
    });

    it('pins and unpins the sweep, and the list shows it', async () => {
      expect(await backtest(['sweeps', 'pin', sweepId])).toMatchObject({ code: 0, stdout: `sweep ${sweepId} pinned: cleanup keeps it\n` });
      expect((await harness.sweeps.get(sweepId))?.pinned).toBe(true);
      const listed = await backtest(['sweeps', 'list', '--status', 'completed', '--limit', '200']);
      expect(listed.stdout).toMatch(new RegExp(`^${sweepId} .* yes +6 `, 'm'));
      expect(await backtest(['sweeps', 'unpin', sweepId])).toMatchObject({
        code: 0,
        stdout: `sweep ${sweepId} unpinned: it expires with its TTL\n`,
      });
      expect((await harness.sweeps.get(sweepId))?.pinned).toBe(false);
    });

    it('exits 2 with the API message when cancelling a finished sweep', async () => {
      const { code, stderr } = await backtest(['sweeps', 'cancel', sweepId]);
      expect(code).toBe(2);
      expect(stderr).toContain(`sweep ${sweepId} is completed; only a running sweep can be cancelled (409 sweep_not_running)`);
    });

    it('deletes the sweep; then it is unknown', async () => {
      expect(await backtest(['sweeps', 'delete', sweepId])).toMatchObject({
        code: 0,
        stdout: `sweep ${sweepId} deleted: its result files and row are gone\n`,
      });
      expect(await harness.sweeps.get(sweepId)).toBeUndefined();
      expect(await harness.store.stat(`sweeps/${sweepId}/manifest.json`)).toBeUndefined();
      const shown = await backtest(['sweeps', 'show', sweepId]);
      expect(shown.code).toBe(2);
      expect(shown.stderr).toMatch(/\(404 sweep_not_found\)$/m);
      expect((await backtest(['sweeps', 'delete', sweepId])).code).toBe(2);
    });
  });
});

describe('a long sweep', () => {
  it('sweep exits 1 when the sweep is cancelled while it waits; a running sweep cannot be deleted, a cancelled one can', async () => {
    const running = start(slowSweep);
    await waitFor(
      async () => running.output.stdout,
      (stdout) => /submitted: /m.test(stdout),
      30_000,
    );
    const sweepId = running.output.stdout.match(UUID)![0];
    const refused = await backtest(['sweeps', 'delete', sweepId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`sweep ${sweepId} is still running; cancel it first (409 sweep_running)`);

    const cancel = await backtest(['sweeps', 'cancel', sweepId]);
    expect(cancel).toMatchObject({ code: 0, stdout: `sweep ${sweepId} cancelling; follow it with: backtest sweeps show ${sweepId}\n` });
    const { code, stdout } = await running.finished;
    expect(code).toBe(1);
    expect(stdout).toMatch(/^sweep cancelled: cancelled by request$/m);
    const shown = await backtest(['sweeps', 'show', sweepId]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/^status +cancelled /m);

    expect((await backtest(['sweeps', 'delete', sweepId])).code).toBe(0);
    expect(await harness.sweeps.get(sweepId)).toBeUndefined();
  }, 60_000);

  it('Ctrl-C stops waiting, leaves the sweep running and says how to follow or cancel it', async () => {
    const running = start(slowSweep);
    await waitFor(
      async () => running.output.stdout,
      (stdout) => /submitted: /m.test(stdout),
      30_000,
    );
    const sweepId = running.output.stdout.match(UUID)![0];
    running.child.kill('SIGINT');
    const { code, stderr } = await running.finished;
    expect(code).toBe(130);
    expect(stderr).toContain(`sweep ${sweepId} keeps running`);
    expect(stderr).toContain(`backtest sweeps show ${sweepId}`);
    expect(stderr).toContain(`backtest sweeps cancel ${sweepId}`);

    expect((await backtest(['sweeps', 'show', sweepId])).stdout).toMatch(/^status +(queued|running|waiting for a worker) /m);
    expect((await backtest(['sweeps', 'cancel', sweepId])).code).toBe(0);
  }, 60_000);
});

describe('catalogue commands', () => {
  it('lists strategies with parameters, defaults and ranges', async () => {
    const { code, stdout } = await backtest(['strategies']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^volume_zone_breakout \(builtin, version builtin-[\d.]+\)$/m);
    // the example plugins of strategies/, like the built-ins
    expect(stdout).toMatch(/^sma_crossover \(plugin smaCrossover\.ts, version [0-9a-f]{12}\)$/m);
    expect(stdout).toMatch(/^fast_window +integer +10 +1 \.\. 10000 +Bars in the fast moving average/m);
    expect(stdout).toMatch(/^volume_window +integer +60 +2 \.\. 10000 +Bars before/m);
    expect(stdout).toMatch(/^fee_rate +number +0\.0005 +0 \.\. < 0\.1 /m);
  });

  it('lists symbols with their timeframes and date ranges', async () => {
    const { code, stdout } = await backtest(['symbols']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^BTC_KRW +1d +2023-01-01 +2024-12-31 +731$/m);
  });
});

describe('when the API is not there or broken', () => {
  let fake: Server;
  const seenHeaders: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    // answers the symbols route, fails everything else with a 500
    fake = createServer((incoming, response) => {
      seenHeaders.push(incoming.headers);
      const ok = incoming.url === '/api/data/symbols';
      response.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { symbols: [] } : { error: 'internal_error', message: 'internal error; see the server log' }));
    });
    await listen(fake.listen(0, '127.0.0.1'));
  });

  afterAll(() => new Promise((resolve) => fake.close(resolve)));

  it('exits 3 when nothing listens at the API address', async () => {
    const closed = await listen(createServer().listen(0, '127.0.0.1'));
    const url = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const { code, stdout, stderr } = await backtest(['list', '--api', url]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^error: cannot reach the API at ${url} \\(ECONNREFUSED\\)`, 'm'));
  });

  it('exits 3 when the API answers 5xx', async () => {
    const { code, stderr } = await backtest(['show', randomUUID()], { BACKTEST_API_URL: urlOf(fake) });
    expect(code).toBe(3);
    expect(stderr).toMatch(/500 internal_error/);
  });

  it('sends API_TOKEN as a bearer token', async () => {
    const { code } = await backtest(['symbols'], { BACKTEST_API_URL: urlOf(fake), API_TOKEN: 'secret-token' });
    expect(code).toBe(0);
    expect(seenHeaders.at(-1)!.authorization).toBe('Bearer secret-token');
  });
});
