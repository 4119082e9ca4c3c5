/**
 * Records the histories that the replay test replays: real runs on a real Temporal dev server and
 * PostgreSQL (the same set-up as the integration tests). Run after a deliberate workflow change:
 *   npm run record-histories               every recording
 *   npm run record-histories -- sweep ...  only these, leaving the others as recorded by older code
 * Keeping old recordings is the point: they prove that today's code still replays what ran before it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import request from 'supertest';
import type { BacktestRequestInput } from '../src/contracts/backtestRequest';
import { sweepCleanupWorkflowId } from '../src/contracts/sweep';
import { taskCleanupWorkflowId } from '../src/contracts/task';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore } from '../src/storage/providers';
import { backupWorkflow } from '../src/workflows/backupWorkflow';
import { progressQuery } from '../src/workflows/backtestWorkflow';
import { sweepProgressQuery } from '../src/workflows/sweepWorkflow';
import { runOnRealStack, startBacktestWorkflow, startHarness, waitFor, type Harness } from '../test/integration/harness';

const HISTORIES_DIR = join(__dirname, '..', 'test', 'replay', 'histories');
const batchSymbols = Array.from({ length: 120 }, (_, index) => `R${String(index).padStart(3, '0')}_KRW`);
const range = { start_date: '2023-01-01', end_date: '2024-12-31', timeframe: '1d' as const };

const start = (harness: Harness, backtest: Omit<BacktestRequestInput, 'strategy'>, maxParallelSymbols = 4) =>
  startBacktestWorkflow(harness, { strategy: 'volume_zone_breakout', ...backtest }, { maxParallelSymbols });

async function save(harness: Harness, name: string, workflowId: string): Promise<void> {
  const handle = harness.client.workflow.getHandle(workflowId);
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
  console.log(`recorded ${name} (${history.events?.length} events)`);
}

async function startSweep(harness: Harness, overrides: object = {}): Promise<string> {
  const submitted = await request(harness.app)
    .post('/api/sweeps')
    .send({
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW', 'ETH_KRW'],
      ...range,
      grid: { volume_window: [20, 40], breakout_buffer: [0, 0.01], hold_period_bars: [1, 3] },
      objective: { metric: 'sharpe' },
      ...overrides,
    });
  if (submitted.status !== 202) throw new Error(`sweep refused: ${JSON.stringify(submitted.body)}`);
  return submitted.body.sweep_id;
}

/** Each recording writes one or more histories, named by the files they become. */
const recordings: Record<string, (harness: Harness) => Promise<void>> = {
  async completed(harness) {
    const completed = await start(harness, { symbols: ['BTC_KRW', 'ETH_KRW'], ...range });
    await save(harness, 'completed', completed.workflowId);
    await save(harness, 'cleanup', taskCleanupWorkflowId(completed.workflowId));
  },
  async 'partially-failed'(harness) {
    const partial = await start(harness, { symbols: ['BTC_KRW', 'GONE_KRW'], ...range });
    await save(harness, 'partially-failed', partial.workflowId);
  },
  async cancelled(harness) {
    const cancelled = await start(
      harness,
      { symbols: ['BTC_KRW', 'ETH_KRW'], start_date: '2021-01-01', end_date: '2024-12-31', timeframe: '1h' },
      1,
    );
    await waitFor(
      () => cancelled.query(progressQuery),
      (progress) => progress.symbols.some((symbol) => symbol.state !== 'pending'),
    );
    await cancelled.cancel();
    await save(harness, 'cancelled', cancelled.workflowId);
  },
  async batched(harness) {
    const batched = await start(harness, { symbols: batchSymbols, start_date: '2024-01-01', end_date: '2024-01-31', timeframe: '1d' }, 8);
    await save(harness, 'batched', batched.workflowId);
    await save(harness, 'batch-child', `${batched.workflowId}-batch-0`);
  },
  async sweep(harness) {
    const sweepId = await startSweep(harness, { materialize_top: 1 });
    await save(harness, 'sweep', sweepId);
    await save(harness, 'sweep-cleanup', sweepCleanupWorkflowId(sweepId));
  },
  async 'sweep-walk-forward'(harness) {
    await save(
      harness,
      'sweep-walk-forward',
      await startSweep(harness, { symbols: ['BTC_KRW'], walk_forward: { folds: 3, in_sample_pct: 70 } }),
    );
  },
  async 'sweep-cancelled'(harness) {
    const sweepId = await startSweep(harness, {
      ...range,
      start_date: '2021-01-01',
      timeframe: '1h',
      grid: { volume_window: { from: 10, to: 100, step: 1 }, hold_period_bars: { from: 1, to: 40, step: 1 } },
    });
    const handle = harness.client.workflow.getHandle(sweepId);
    await waitFor(
      () => handle.query(sweepProgressQuery),
      (progress) => progress.evaluated > 0,
      60_000,
    );
    await handle.cancel();
    await save(harness, 'sweep-cancelled', sweepId);
  },
  async backup(harness) {
    const workflowId = `backup-${randomUUID()}`;
    await harness.client.workflow.start(backupWorkflow, {
      args: [{ date: '2026-01-15' }],
      taskQueue: harness.config.TEMPORAL_TASK_QUEUE,
      workflowId,
    });
    await save(harness, 'backup', workflowId);
  },
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in recordings));
if (unknown.length > 0) {
  console.error(`unknown recording ${unknown.join(', ')}; one of ${Object.keys(recordings).join(', ')}`);
  process.exit(2);
}

runOnRealStack(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'replay-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols: ['BTC_KRW', 'ETH_KRW'], timeframes: ['1d', '1h'] });
  await writeSampleData({ store, symbols: batchSymbols, timeframes: ['1d'], startDate: '2024-01-01', endDate: '2024-01-31' });
  const ttl = String(2 / 86_400);
  const harness = await startHarness({
    env: { DATA_ROOT: dataRoot, TASK_RESULT_TTL_DAYS: ttl, FAILED_TASK_TTL_DAYS: ttl, SWEEP_CHUNK_COMBINATIONS: '256' },
  });
  try {
    for (const name of chosen.length > 0 ? chosen : Object.keys(recordings)) await recordings[name](harness);
  } finally {
    await harness.stop();
  }
});
