/**
 * Records the histories that the replay test replays: real runs on a real Temporal dev server and
 * PostgreSQL (the same set-up as the integration tests). Run after a deliberate workflow change:
 *   npm run record-histories
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { BacktestRequestInput } from '../src/contracts/backtestRequest';
import { taskCleanupWorkflowId } from '../src/contracts/task';
import { writeSampleData } from '../src/data/sampleData';
import { LocalBlobStore } from '../src/storage/providers';
import { progressQuery } from '../src/workflows/backtestWorkflow';
import { runOnRealStack, startBacktestWorkflow, startHarness, waitFor, type Harness } from '../test/integration/harness';

const HISTORIES_DIR = join(__dirname, '..', 'test', 'replay', 'histories');
const batchSymbols = Array.from({ length: 120 }, (_, index) => `R${String(index).padStart(3, '0')}_KRW`);

const start = (harness: Harness, request: Omit<BacktestRequestInput, 'strategy'>, maxParallelSymbols = 4) =>
  startBacktestWorkflow(harness, { strategy: 'volume_zone_breakout', ...request }, { maxParallelSymbols });

async function save(harness: Harness, name: string, workflowId: string): Promise<void> {
  const handle = harness.client.workflow.getHandle(workflowId);
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
  console.log(`recorded ${name} (${history.events?.length} events)`);
}

runOnRealStack(async () => {
  const dataRoot = mkdtempSync(join(process.env.TEST_SCRATCH!, 'replay-'));
  const store = new LocalBlobStore(dataRoot);
  await writeSampleData({ store, symbols: ['BTC_KRW', 'ETH_KRW'], timeframes: ['1d', '1h'] });
  await writeSampleData({ store, symbols: batchSymbols, timeframes: ['1d'], startDate: '2024-01-01', endDate: '2024-01-31' });
  const ttl = String(2 / 86_400);
  const harness = await startHarness({ env: { DATA_ROOT: dataRoot, TASK_RESULT_TTL_DAYS: ttl, FAILED_TASK_TTL_DAYS: ttl } });
  try {
    const range = { start_date: '2023-01-01', end_date: '2024-12-31', timeframe: '1d' as const };
    const completed = await start(harness, { symbols: ['BTC_KRW', 'ETH_KRW'], ...range });
    await save(harness, 'completed', completed.workflowId);
    await save(harness, 'cleanup', taskCleanupWorkflowId(completed.workflowId));

    const partial = await start(harness, { symbols: ['BTC_KRW', 'GONE_KRW'], ...range });
    await save(harness, 'partially-failed', partial.workflowId);

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

    const batched = await start(harness, { symbols: batchSymbols, start_date: '2024-01-01', end_date: '2024-01-31', timeframe: '1d' }, 8);
    await save(harness, 'batched', batched.workflowId);
    await save(harness, 'batch-child', `${batched.workflowId}-batch-0`);
  } finally {
    await harness.stop();
  }
});
