/**
 * The status rule of the task view while the workflow still runs: the workflow's own status may already
 * say how it ends, but until Temporal reports it closed the row and files may not be final.
 */
import type { Client } from '@temporalio/client';
import type { TaskProgress, TaskStatus } from '../../../src/contracts/task';
import { readTaskView } from '../../../src/api/taskView';
import type { BacktestResultsRepository } from '../../../src/storage/backtestResults';
import type { BlobStore } from '../../../src/storage/providers';

const MEMO = { strategy: 'volume_long_candle', symbols: ['BTC_KRW'], timeframe: '1d', start_date: '2024-01-01', end_date: '2024-12-31' };

function runningWorkflowReporting(status: TaskStatus, memo: object = MEMO): Client {
  const progress: TaskProgress = { status, progress: 0.5, symbols: [{ symbol: 'BTC_KRW', state: 'pending', progress: 0 }] };
  const handle = {
    describe: async () => ({
      status: { name: 'RUNNING' },
      memo,
      startTime: new Date('2026-01-01T00:00:00Z'),
      raw: { pendingActivities: [] },
    }),
    query: async () => progress,
  };
  return {
    workflow: { getHandle: () => handle },
    connection: { withDeadline: (_deadline: number, call: () => Promise<unknown>) => call() },
  } as unknown as Client;
}

const sources = (temporal: Client, row?: object) => ({
  temporal,
  repository: { get: async () => row } as unknown as BacktestResultsRepository,
  store: {} as BlobStore,
});

it.each(['completed', 'failed', 'cancelled'] as const)('reports a running workflow that says %s as running', async (status) => {
  const view = await readTaskView(sources(runningWorkflowReporting(status)), 'task-1');
  expect(view?.status).toBe('running');
});

it.each(['queued', 'running'] as const)('passes %s through while the workflow runs', async (status) => {
  const view = await readTaskView(sources(runningWorkflowReporting(status)), 'task-1');
  expect(view?.status).toBe(status);
});

describe('a workflow started without the API (no memo)', () => {
  it('is not found until its row exists', async () => {
    expect(await readTaskView(sources(runningWorkflowReporting('running', {})), 'task-1')).toBeUndefined();
  });

  it('is described from its row once it exists', async () => {
    const row = { ...MEMO, task_id: 'task-1', status: 'running', created_at: '2026-01-01T00:00:00Z', metadata: {} };
    const view = await readTaskView(sources(runningWorkflowReporting('running', {}), row), 'task-1');
    expect(view).toMatchObject({
      task_id: 'task-1',
      strategy: 'volume_long_candle',
      status: 'running',
      symbols_state: [{ symbol: 'BTC_KRW' }],
    });
  });
});
