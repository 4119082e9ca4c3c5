/**
 * The workflow on a real Temporal server: a symbol whose data is missing fails with a clear reason
 * while the task completes with the others; a task whose every symbol fails ends failed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestWorkflowResult } from '../../src/contracts/task';
import { progressQuery } from '../../src/workflows/backtestWorkflow';
import { startBacktestWorkflow, startHarness, type Harness } from './harness';

let harness: Harness;
let dataRoot: string;

beforeAll(async () => {
  // Own data root: BTC_KRW complete, GAP_KRW with only its 2021 file (the later years are missing).
  dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'workflow-'));
  cpSync(join(process.env.TEST_DATA_ROOT!, 'BTC_KRW'), join(dataRoot, 'BTC_KRW'), { recursive: true });
  mkdirSync(join(dataRoot, 'GAP_KRW', '1D'), { recursive: true });
  cpSync(join(process.env.TEST_DATA_ROOT!, 'ETH_KRW', '1D', '2021.parquet'), join(dataRoot, 'GAP_KRW', '1D', '2021.parquet'));
  harness = await startHarness({ env: { DATA_ROOT: dataRoot } });
});

afterAll(async () => {
  await harness?.stop();
});

async function runWorkflow(symbols: string[]) {
  const handle = await startBacktestWorkflow(harness, {
    strategy: 'volume_long_candle',
    symbols,
    start_date: '2022-01-01',
    end_date: '2022-12-31',
    timeframe: '1d',
  });
  const task_id = handle.workflowId;
  const result = (await handle.result()) as BacktestWorkflowResult;
  const progress = await handle.query(progressQuery);
  const manifest = JSON.parse(readFileSync(join(dataRoot, 'tasks', task_id, 'manifest.json'), 'utf8'));
  return { task_id, result, progress, manifest };
}

describe('backtestWorkflow', () => {
  it('reports a symbol with a missing data file as failed and completes with the other', async () => {
    const { task_id, result, progress, manifest } = await runWorkflow(['BTC_KRW', 'GAP_KRW']);
    expect(result).toMatchObject({ status: 'completed', symbols_processed: 1, symbols_failed: 1 });
    expect(progress.status).toBe('completed');
    expect(progress.symbols[0]).toMatchObject({ symbol: 'BTC_KRW', state: 'completed' });
    expect(progress.symbols[1]).toMatchObject({ symbol: 'GAP_KRW', state: 'failed' });
    // The reason names the symbol, the range asked for and the range that exists.
    expect(progress.symbols[1].error).toMatch(/GAP_KRW/);
    expect(progress.symbols[1].error).toMatch(/2022-01-01/);
    expect(progress.symbols[1].error).toMatch(/2021-01-01/);
    expect(manifest.metadata.symbols[1]).toMatchObject({ symbol: 'GAP_KRW', state: 'failed' });
    expect(manifest.summary).toMatchObject({ symbols_processed: 1, symbols_failed: 1 });
    expect((await harness.repository.get(task_id))?.status).toBe('completed');
  });

  it('ends failed, with a failed manifest and row, when every symbol fails', async () => {
    const { task_id, result, manifest } = await runWorkflow(['GAP_KRW', 'NONE_KRW']);
    expect(result.status).toBe('failed');
    expect(manifest.status).toBe('failed');
    expect(manifest.error.occurred).toBe(true);
    expect(manifest.error.message).toMatch(/GAP_KRW.*NONE_KRW/);
    expect(manifest.result_files).toEqual([]);
    expect((await harness.repository.get(task_id))?.status).toBe('failed');
  });
});
