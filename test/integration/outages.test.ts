/**
 * Outages delay work, they never fail it (DESIGN.md section 11), on real processes: a PostgreSQL of this
 * test's own is stopped for 90 s, its Temporal dev server is SIGKILLed and restarted on the same database
 * file, and a worker process gets SIGTERM in the middle of a task. Every task completes with complete files
 * and one row; the API process answers 503 naming the dependency, quickly, and recovers within seconds.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startTemporalDevServer, type RunningService } from '../../scripts/lib/devServices';
import type { Manifest } from '../../src/contracts/manifest';
import { writeSampleData } from '../../src/data/sampleData';
import { md5 } from '../../src/shared/checksum';
import { LocalBlobStore } from '../../src/storage/providers';
import { connectClient } from '../../src/temporalConnection';
import { waitFor } from './harness';
import { startApiProcess, startPostgresProcess, startWorkerProcess, type PlatformProcess, type StackAddresses } from './processes';

const symbols = Array.from({ length: 30 }, (_, index) => `O${String(index).padStart(2, '0')}_KRW`);
const request = (count: number) => ({
  strategy: 'volume_zone_breakout',
  symbols: symbols.slice(0, count),
  start_date: '2023-01-01',
  end_date: '2024-12-31',
  timeframe: '1h',
});

let stack: StackAddresses;
let store: LocalBlobStore;
let pgDirectory: string;
let pgPort: number;
let temporalPort: number;
let temporalDb: string;
let postgres: PlatformProcess & { address: string };
let temporal: RunningService;
let api: PlatformProcess & { url: string };
const workers: PlatformProcess[] = [];

async function startPostgres(): Promise<void> {
  postgres = await startPostgresProcess(pgDirectory, pgPort, 'outages');
}

async function startTemporal(): Promise<void> {
  temporal = await startTemporalDevServer({ port: temporalPort, dbFile: temporalDb });
}

async function startWorker(environment: Record<string, string> = {}): Promise<PlatformProcess> {
  const worker = await startWorkerProcess(stack, environment);
  workers.push(worker);
  return worker;
}

interface Answer {
  status: number;
  body: any;
  ms: number;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

const get = (path: string) => call('GET', path);

async function submit(count: number): Promise<string> {
  const answer = await call('POST', '/api/backtests', request(count));
  expect(answer.status).toBe(202);
  return answer.body.task_id;
}

const finished = (answer: Answer) => ['completed', 'failed', 'cancelled'].includes(answer.body?.status);

/** The end state every task must reach: completed, one row, every listed file present with its MD5, no staging. */
async function expectCompleteAndIntact(taskId: string): Promise<Manifest> {
  const task = await waitFor(() => get(`/api/backtests/${taskId}`), finished, 240_000);
  expect(task.body).toMatchObject({ status: 'completed', result_path: `tasks/${taskId}` });
  const manifest: Manifest = JSON.parse((await store.get(`tasks/${taskId}/manifest.json`)).toString());
  for (const file of manifest.result_files) {
    expect(md5(await store.get(`tasks/${taskId}/${file.path}`))).toBe(file.checksum);
  }
  expect(await store.list(`tasks/${taskId}/staging`)).toEqual([]);
  const history = await get(`/api/backtests?limit=200`);
  expect(history.body.items.filter((item: { task_id: string }) => item.task_id === taskId)).toEqual([
    expect.objectContaining({ task_id: taskId, status: 'completed' }),
  ]);
  return manifest;
}

beforeAll(async () => {
  const scratch = mkdtempSync(join(process.env.TEST_SCRATCH!, 'outages-'));
  // Run as root, the embedded PostgreSQL runs as the user `postgres`, which must reach its directory.
  for (const folder of [process.env.TEST_SCRATCH!, scratch]) chmodSync(folder, 0o755);
  const dataRoot = join(scratch, 'data');
  store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols, timeframes: ['1h'], startDate: '2023-01-01', endDate: '2024-12-31' });
  [pgPort, temporalPort] = [await freePort(), await freePort()];
  pgDirectory = join(scratch, 'pg');
  temporalDb = join(scratch, 'temporal.db');
  await Promise.all([startPostgres(), startTemporal()]);
  stack = { dataRoot, databaseUrl: postgres.address, temporalAddress: temporal.address, taskQueue: `outages-${randomUUID()}` };
  // One symbol at a time: a task of many symbols then runs long enough to be hit mid-way.
  [api] = await Promise.all([startApiProcess(stack, { MAX_PARALLEL_SYMBOLS: '1' }), startWorker()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([...workers.map((worker) => worker.stop()), api?.stop()]);
  await temporal?.stop();
  await postgres?.stop();
}, 120_000);

const sweepRequest = {
  strategy: 'volume_long_candle',
  symbols: symbols.slice(0, 2),
  start_date: '2023-01-01',
  end_date: '2024-12-31',
  timeframe: '1h',
  grid: { vol_ma_window: [10, 20, 30], hold_period_bars: { from: 1, to: 40, step: 1 } },
  objective: { metric: 'sharpe' },
};

async function submitSweep(): Promise<string> {
  const answer = await call('POST', '/api/sweeps', sweepRequest);
  expect(answer.status).toBe(202);
  return answer.body.sweep_id;
}

/** A sweep's end state: completed, every listed file present with its MD5, no staging, its row in the list. */
async function expectSweepCompleteAndIntact(sweepId: string): Promise<void> {
  const sweep = await waitFor(() => get(`/api/sweeps/${sweepId}`), finished, 240_000);
  expect(sweep.body).toMatchObject({ status: 'completed', evaluated: 240, result_path: `sweeps/${sweepId}` });
  const manifest = JSON.parse((await store.get(`sweeps/${sweepId}/manifest.json`)).toString());
  for (const file of manifest.result_files) expect(md5(await store.get(`sweeps/${sweepId}/${file.name}`))).toBe(file.checksum);
  expect(await store.list(`sweeps/${sweepId}/staging`)).toEqual([]);
  const listed = await get('/api/sweeps?limit=100');
  expect(listed.body.items.filter((item: { sweep_id: string }) => item.sweep_id === sweepId)).toEqual([
    expect.objectContaining({ sweep_id: sweepId, status: 'completed' }),
  ]);
}

describe('PostgreSQL stopped for 90 s', () => {
  it('delays a running task and sweep and ones submitted meanwhile; all complete intact, and the API answered 503 in between', async () => {
    const running = await submit(5);
    const runningSweep = await submitSweep();
    await waitFor(
      () => get(`/api/backtests/${running}`),
      (answer) => answer.body?.status === 'running',
      60_000,
    );
    await postgres.stop();
    const stoppedAt = Date.now();

    const rounds: { history: Answer; running: Answer; submitted: Answer; sweeps: Answer[] }[] = [];
    let submitted: string;
    let submittedSweep: string;
    try {
      submitted = await submit(3);
      submittedSweep = await submitSweep();
      while (Date.now() - stoppedAt < 90_000) {
        rounds.push({
          history: await get('/api/backtests'),
          running: await get(`/api/backtests/${running}`),
          submitted: await get(`/api/backtests/${submitted}`),
          sweeps: [await get(`/api/sweeps/${runningSweep}`), await get(`/api/sweeps/${submittedSweep}`)],
        });
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    } finally {
      await startPostgres();
    }
    const summary = (answer: Answer) => `${answer.status} ${answer.body?.error ?? answer.body?.status}`;
    expect(new Set(rounds.map((round) => summary(round.history)))).toEqual(new Set(['503 postgres_unavailable']));
    // A running task is described from Temporal while its row cannot be read; the one submitted during the
    // outage waits for its row to be recorded.
    expect(new Set(rounds.map((round) => summary(round.running)))).toEqual(new Set(['200 running']));
    expect(
      [...new Set(rounds.map((round) => summary(round.submitted)))].every((seen) => ['200 queued', '200 running'].includes(seen)),
    ).toBe(true);
    // A sweep is described from Temporal and its files; whatever its chunks did, it cannot end without its row.
    expect(
      [...new Set(rounds.flatMap((round) => round.sweeps.map(summary)))].every((seen) => ['200 queued', '200 running'].includes(seen)),
    ).toBe(true);
    const slowest = Math.max(
      ...rounds.flatMap((round) => [round.history.ms, round.running.ms, round.submitted.ms, ...round.sweeps.map((answer) => answer.ms)]),
    );
    expect(slowest).toBeLessThan(2000);

    await expectCompleteAndIntact(running);
    await expectCompleteAndIntact(submitted);
    await expectSweepCompleteAndIntact(runningSweep);
    await expectSweepCompleteAndIntact(submittedSweep);
  }, 420_000);
});

describe('the Temporal server killed mid-task', () => {
  it('answers 503 within 2 s while it is down, serves within 5 s of its return, and the task completes', async () => {
    const taskId = await submit(30);
    await waitFor(
      () => get(`/api/backtests/${taskId}`),
      (answer) => answer.body?.symbols?.filter((symbol: { state: string }) => symbol.state === 'completed').length >= 2,
      60_000,
    );
    await temporal.kill!();
    const whileDown = [await get(`/api/backtests/${taskId}`), await call('POST', '/api/backtests', request(1)), await get('/readyz')];
    expect(whileDown.map((answer) => answer.status)).toEqual([503, 503, 503]);
    expect(whileDown.slice(0, 2).map((answer) => answer.body.error)).toEqual(['temporal_unavailable', 'temporal_unavailable']);
    expect(Math.max(...whileDown.map((answer) => answer.ms))).toBeLessThan(2000);

    await startTemporal();
    const restartedAt = performance.now();
    await waitFor(
      () => get(`/api/backtests/${taskId}`),
      (answer) => answer.status === 200,
      30_000,
    );
    const recoveryMs = performance.now() - restartedAt;
    console.log(`API served again ${recoveryMs.toFixed(0)} ms after the Temporal server was back`);
    expect(recoveryMs).toBeLessThan(5000);
    const manifest = await expectCompleteAndIntact(taskId);
    expect(manifest.summary).toMatchObject({ symbols_processed: 30, symbols_failed: 0 });
  }, 300_000);
});

describe('a worker that gets SIGTERM mid-task', () => {
  it('drains its running activities, and the next worker finishes the task with identical checksums', async () => {
    const baseline = await submit(30);
    const expected = await expectCompleteAndIntact(baseline);

    const taskId = await submit(30);
    await waitFor(
      () => get(`/api/backtests/${taskId}`),
      (answer) => answer.body?.symbols?.filter((symbol: { state: string }) => symbol.state === 'completed').length >= 3,
      60_000,
    );
    const draining = workers.shift()!;
    await draining.stop('SIGTERM');
    expect(await draining.exited).toBe(0);
    await startWorker();
    const recovered = await expectCompleteAndIntact(taskId);
    const parquet = (manifest: Manifest) => manifest.result_files.filter((file) => file.name.endsWith('.parquet'));
    expect(parquet(recovered)).toEqual(parquet(expected));

    // Drained, not abandoned: no activity of the task timed out or needed another attempt.
    const client = await connectClient({ TEMPORAL_NAMESPACE: 'default', TEMPORAL_ADDRESS: stack.temporalAddress });
    try {
      const history = await client.workflow.getHandle(taskId).fetchHistory();
      const retried = history.events!.filter(
        (event) => event.activityTaskTimedOutEventAttributes || (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      expect(retried).toEqual([]);
    } finally {
      await client.connection.close();
    }
  }, 300_000);
});
