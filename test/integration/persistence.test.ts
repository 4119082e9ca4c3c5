/**
 * Idempotent persistence: the persist activity fails part-way (after a table, after the manifest, after
 * the row) and Temporal retries it; the end state equals an undisturbed run: the same Parquet bytes,
 * exactly one row, no staging left behind.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { BacktestWorkflowResult } from '../../src/contracts/task';
import type { Manifest } from '../../src/storage/manifest';
import { parquetFilesOf, readManifestOf, startBacktestWorkflow, startHarness, type Harness } from './harness';

type FaultPoint = 'after_summary_table' | 'after_manifest' | 'after_row' | 'for_good' | undefined;

let harness: Harness;
let fault: FaultPoint;
const faultsFired: string[] = [];

/** Fails the first time the armed point is reached, as a crash there would. */
function failOnce(point: FaultPoint): void {
  if (fault !== point) return;
  fault = undefined;
  faultsFired.push(point!);
  throw new Error(`injected failure ${point}`);
}

beforeAll(async () => {
  harness = await startHarness({
    wrapActivityDependencies: (dependencies) => {
      const { store, repository } = dependencies;
      return {
        ...dependencies,
        store: Object.assign(Object.create(store), {
          put: async (key: string, data: Uint8Array | string) => {
            if (key.endsWith('symbol_signals.parquet')) failOnce('after_summary_table');
            // A failure no retry can fix (as a full disk would be, after its retries).
            if (key.endsWith('symbol_summary.parquet') && fault === 'for_good') {
              throw ApplicationFailure.nonRetryable('no space left on device', 'StorageFull');
            }
            await store.put(key, data);
          },
          remove: async (key: string) => {
            if (key.endsWith('/staging')) failOnce('after_row');
            await store.remove(key);
          },
        }),
        repository: Object.assign(Object.create(repository), {
          recordFinished: async (row: Parameters<typeof repository.recordFinished>[0]) => {
            failOnce('after_manifest');
            return repository.recordFinished(row);
          },
        }),
      };
    },
  });
});

afterAll(async () => {
  await harness?.stop();
});

async function runBacktest(): Promise<{ taskId: string; manifest: Manifest; result: BacktestWorkflowResult }> {
  const handle = await startBacktestWorkflow(harness, {
    strategy: 'volume_zone_breakout',
    symbols: ['BTC_KRW', 'XRP_KRW'],
    start_date: '2023-01-01',
    end_date: '2024-06-30',
    timeframe: '1d',
  });
  const result = (await handle.result()) as BacktestWorkflowResult;
  return { taskId: handle.workflowId, manifest: await readManifestOf(harness, handle.workflowId), result };
}

describe('the persist step', () => {
  let baseline: Manifest;

  beforeAll(async () => {
    baseline = (await runBacktest()).manifest;
  });

  it.each(['after_summary_table', 'after_manifest', 'after_row'] as const)(
    'retried after failing %s ends with the same files and exactly one row',
    async (point) => {
      fault = point;
      const { taskId, manifest, result } = await runBacktest();
      expect(faultsFired).toContain(point);
      expect(result.status).toBe('completed');
      expect(parquetFilesOf(manifest)).toEqual(parquetFilesOf(baseline));
      const { rows } = await harness.pool.query('SELECT status, record_count FROM backtest_results WHERE task_id = $1', [taskId]);
      expect(rows).toEqual([{ status: 'completed', record_count: baseline.summary.total_signals }]);
      expect(existsSync(join(harness.config.DATA_ROOT, 'tasks', taskId, 'staging'))).toBe(false);
      // The persist activity ran twice: the history shows a second attempt.
      const history = await harness.client.workflow.getHandle(taskId).fetchHistory();
      const persistStarts = history.events!.filter(
        (event) => event.activityTaskStartedEventAttributes && event.activityTaskStartedEventAttributes.attempt === 2,
      );
      expect(persistStarts.length).toBe(1);
    },
    60_000,
  );
});

describe('a persist step that fails for good', () => {
  afterEach(() => {
    fault = undefined;
  });

  it('ends the task failed, with a failed manifest and row, no staging, and the reason', async () => {
    fault = 'for_good';
    const handle = await startBacktestWorkflow(harness, {
      strategy: 'volume_zone_breakout',
      symbols: ['BTC_KRW'],
      start_date: '2024-01-01',
      end_date: '2024-03-31',
      timeframe: '1d',
    });
    await expect(handle.result()).rejects.toThrow();
    const taskId = handle.workflowId;
    const manifest = await readManifestOf(harness, taskId);
    expect(manifest).toMatchObject({
      status: 'failed',
      error: { occurred: true, message: 'persisting the result failed: no space left on device' },
    });
    expect(manifest.metadata.symbols).toEqual([expect.objectContaining({ symbol: 'BTC_KRW', state: 'completed' })]);
    const row = await harness.repository.get(taskId);
    expect(row).toMatchObject({
      status: 'failed',
      metadata: expect.objectContaining({ error: 'persisting the result failed: no space left on device' }),
    });
    expect(existsSync(join(harness.config.DATA_ROOT, 'tasks', taskId, 'staging'))).toBe(false);
    expect((await harness.client.workflow.getHandle(taskId).describe()).status.name).toBe('FAILED');
  }, 60_000);
});
