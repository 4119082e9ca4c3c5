/**
 * Fan-out at scale: a backtest of 1,000 symbols (small series) completes with bounded parallelism and a
 * workflow history far below Temporal's limits, because only references and summaries travel through it.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { SYMBOLS_PER_BATCH, symbolBatchWorkflowId, type BacktestWorkflowResult, type SymbolProgress } from '../../src/contracts/task';
import { writeSampleData } from '../../src/data/sampleData';
import { LocalBlobStore } from '../../src/storage/providers';
import { parquetToTable } from '../../src/shared/parquet';
import { startBacktestWorkflow, startHarness, type Harness } from './harness';

const SYMBOL_COUNT = 1000;
const symbols = Array.from({ length: SYMBOL_COUNT }, (_, index) => `S${String(index).padStart(4, '0')}_KRW`);

let harness: Harness;

beforeAll(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'scale-'));
  await writeSampleData({
    store: new LocalBlobStore(dataRoot),
    symbols,
    timeframes: ['1d'],
    startDate: '2024-01-01',
    endDate: '2024-02-29',
  });
  harness = await startHarness({ env: { DATA_ROOT: dataRoot } });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

it('runs 1,000 symbols with every workflow history well under 1 MB and the event limit', async () => {
  const handle = await startBacktestWorkflow(
    harness,
    {
      strategy: 'volume_long_candle',
      params: { vol_ma_window: 5 },
      symbols,
      start_date: '2024-01-01',
      end_date: '2024-02-29',
      timeframe: '1d',
    },
    { maxParallelSymbols: 16 },
  );
  const task_id = handle.workflowId;

  // While it runs, the status shows the running batch symbol by symbol (from the batch child).
  const batchesSeenMidway = new Set<number>();
  let finished = false;
  const watching = (async () => {
    while (!finished) {
      const response = await request(harness.app).get(`/api/backtests/${task_id}`);
      expect(response.status).toBeLessThan(500);
      if (response.body.status !== 'running') continue;
      const states: SymbolProgress['state'][] = response.body.symbols.map((entry: SymbolProgress) => entry.state);
      for (let batch = 0; batch < SYMBOL_COUNT / SYMBOLS_PER_BATCH; batch++) {
        const batchStates = states.slice(batch * SYMBOLS_PER_BATCH, (batch + 1) * SYMBOLS_PER_BATCH);
        if (batchStates.includes('completed') && batchStates.includes('pending')) batchesSeenMidway.add(batch);
      }
    }
  })();
  const result = (await handle.result()) as BacktestWorkflowResult;
  finished = true;
  await watching;
  expect(result).toMatchObject({ status: 'completed', symbols_processed: SYMBOL_COUNT, symbols_failed: 0 });
  console.log(`batches seen half done: ${[...batchesSeenMidway].join(', ')}`);
  expect(batchesSeenMidway.size).toBeGreaterThan(0);

  // The task's own history and each batch child's stay far below the limits.
  const histories = [
    task_id,
    ...Array.from({ length: SYMBOL_COUNT / SYMBOLS_PER_BATCH }, (_, batch) => symbolBatchWorkflowId(task_id, batch)),
  ];
  for (const workflowId of histories) {
    const description = await harness.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.historyLength).toBeLessThan(1000);
    expect(description.historySize).toBeLessThan(512 * 1024);
  }
  const parent = await handle.describe();
  console.log(`1000-symbol task: parent history ${parent.historyLength} events, ${parent.historySize} bytes`);

  const summary = parquetToTable(await harness.store.get(`tasks/${task_id}/symbol_summary.parquet`));
  expect(summary.numRows).toBe(SYMBOL_COUNT);
  const curve = parquetToTable(await harness.store.get(`tasks/${task_id}/performance_curve.parquet`));
  expect(curve.numRows).toBe(SYMBOL_COUNT * 60);
}, 300_000);
