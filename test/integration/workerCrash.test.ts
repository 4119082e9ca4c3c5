/**
 * A worker process is SIGKILLed in the middle of a backtest; a new worker process takes over and the task
 * completes with exactly the result of an undisturbed run (same Parquet checksums), nothing duplicated.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestWorkflowResult } from '../../src/contracts/task';
import { writeSampleData } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import { progressQuery } from '../../src/workflows/backtestWorkflow';
import { parquetFilesOf, readManifestOf, startBacktestWorkflow, startHarness, waitFor, type Harness } from './harness';
import { startWorkerProcess, type PlatformProcess } from './processes';

const symbols = Array.from({ length: 24 }, (_, index) => `W${String(index).padStart(2, '0')}_KRW`);
const crashQueue = `crash-${randomUUID()}`;

let harness: Harness;
let dataRoot: string;
const workers: PlatformProcess[] = [];

async function startWorker(): Promise<PlatformProcess> {
  const worker = await startWorkerProcess({
    dataRoot,
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue: crashQueue,
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'crash-'));
  await writeSampleData({
    store: new LocalBlobStore(dataRoot),
    symbols,
    timeframes: ['1h'],
    startDate: '2024-01-01',
    endDate: '2024-12-31',
  });
  harness = await startHarness({ env: { DATA_ROOT: dataRoot } });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await harness?.stop();
});

const request = { strategy: 'volume_zone_breakout', symbols, start_date: '2024-01-01', end_date: '2024-12-31', timeframe: '1h' } as const;

it('completes with the same result after its worker is killed mid-run', async () => {
  const baseline = await startBacktestWorkflow(harness, { ...request, symbols });
  await baseline.result();

  const first = await startWorker();
  const handle = await startBacktestWorkflow(harness, { ...request, symbols }, { taskQueue: crashQueue });
  const taskId = handle.workflowId;
  const beforeKill = await waitFor(
    () => handle.query(progressQuery).catch(() => undefined),
    (progress) => (progress?.symbols.filter((symbol) => symbol.state === 'completed').length ?? 0) >= 3,
    60_000,
  );
  await first.stop('SIGKILL');
  const completedBeforeKill = beforeKill!.symbols.filter((symbol) => symbol.state === 'completed').length;
  expect(completedBeforeKill).toBeLessThan(symbols.length);

  await startWorker();
  const result = (await handle.result()) as BacktestWorkflowResult;
  expect(result).toMatchObject({ status: 'completed', symbols_processed: symbols.length, symbols_failed: 0 });

  const [expected, recovered] = [await readManifestOf(harness, baseline.workflowId), await readManifestOf(harness, taskId)];
  expect(parquetFilesOf(recovered)).toEqual(parquetFilesOf(expected));
  expect(recovered.summary.total_signals).toBe(expected.summary.total_signals);
  const { rows } = await harness.pool.query('SELECT count(*)::int AS rows FROM backtest_results WHERE task_id = $1', [taskId]);
  expect(rows[0].rows).toBe(1);
  // The worker that died held a symbol in flight: the history shows it retried on the new worker.
  const history = await handle.fetchHistory();
  const timedOut = history.events!.filter(
    (event) => event.activityTaskTimedOutEventAttributes || (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
  );
  console.log(`worker killed after ${completedBeforeKill}/${symbols.length} symbols; retried activities: ${timedOut.length}`);
}, 180_000);
