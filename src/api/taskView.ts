/**
 * The state of one task as a user sees it, assembled from Temporal (live status, the progress query,
 * heartbeats of running symbol activities, whether a worker polls), the task's staging and manifest in
 * the store, and its database row. Built to answer in well under 200 ms whatever the workers do: the
 * progress query gets a short wait, and a task no worker serves is described without one. Work that
 * no worker has picked up for a second (none polls, or all are busy) is reported as `waiting_for_worker`.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { BacktestWorkflowResult, SymbolHeartbeat, SymbolProgress, TaskProgress, TaskStatus } from '../contracts/task';
import { SYMBOLS_PER_BATCH, symbolBatchWorkflowId, taskDirectory } from '../contracts/task';
import { rowStatus, type BacktestResultsRepository } from '../storage/backtestResults';
import type { BlobStore } from '../storage/providers';
import { readManifest, type Manifest } from '../storage/manifest';
import { listStagedSymbols } from '../storage/staging';
import { progressQuery, type backtestWorkflow } from '../workflows/backtestWorkflow';
import {
  describeWithRow,
  describeWorkflow,
  hasUnclaimedActivities,
  hasUnclaimedWorkflowTask,
  heartbeatsOf,
  quickQuery,
  rememberedAnswer,
} from './workflowState';

/** What the API puts in a task's workflow memo: enough to describe the task before it has a row. */
export type TaskMemo = {
  strategy: string;
  symbols: string[];
  timeframe: string;
  start_date: string;
  end_date: string;
};

export interface TaskView extends TaskMemo {
  task_id: string;
  status: TaskStatus;
  progress: number;
  waiting_for_worker: boolean;
  symbols_state: SymbolProgress[];
  created_at: string | null;
  finished_at: string | null;
  result_path: string | null;
  error: string | null;
  pinned: boolean;
}

export interface TaskViewSources {
  temporal: Client;
  repository: BacktestResultsRepository;
  store: BlobStore;
}

/** Fraction done of each running symbol activity, from its last heartbeat. */
function heartbeatProgress(description: WorkflowExecutionDescription): Map<string, number> {
  return new Map(
    heartbeatsOf<SymbolHeartbeat>(description).flatMap((details) => (details?.symbol ? [[details.symbol, details.progress]] : [])),
  );
}

function withHeartbeats(symbols: SymbolProgress[], description: WorkflowExecutionDescription): SymbolProgress[] {
  const heartbeats = heartbeatProgress(description);
  return symbols.map((entry) =>
    entry.state === 'running' ? { ...entry, progress: heartbeats.get(entry.symbol) ?? entry.progress } : entry,
  );
}

/**
 * Each symbol's live state, running ones with their activity's last heartbeat. A task of more than
 * SYMBOLS_PER_BATCH symbols runs them in batch children, one after another, and knows the running batch
 * only as a whole: its symbols' states come from that child.
 */
async function liveSymbolStates(temporal: Client, taskId: string, description: WorkflowExecutionDescription, symbols: SymbolProgress[]) {
  const firstRunning = symbols.findIndex((entry) => entry.state === 'running');
  if (symbols.length <= SYMBOLS_PER_BATCH || firstRunning < 0) return withHeartbeats(symbols, description);
  const batch = Math.floor(firstRunning / SYMBOLS_PER_BATCH);
  const batchId = symbolBatchWorkflowId(taskId, batch);
  const [batchProgress, batchDescription] = await Promise.all([
    quickQuery(temporal, batchId, progressQuery),
    describeWorkflow(temporal, batchId),
  ]);
  if (!batchProgress || !batchDescription) return symbols; // the child is about to start
  const states = [...symbols];
  states.splice(batch * SYMBOLS_PER_BATCH, batchProgress.symbols.length, ...withHeartbeats(batchProgress.symbols, batchDescription));
  return states;
}

/**
 * Symbol states without the workflow's answer (no worker, or a slow one): completed ones from the staging
 * area, running ones from their pending activities and heartbeats, the rest pending.
 */
async function symbolStatesWithoutQuery(store: BlobStore, taskId: string, description: WorkflowExecutionDescription, symbols: string[]) {
  const staged = new Set(await listStagedSymbols(store, taskId));
  const heartbeats = heartbeatProgress(description);
  return symbols.map((symbol): SymbolProgress => {
    if (staged.has(symbol)) return { symbol, state: 'completed', progress: 1 };
    const progress = heartbeats.get(symbol);
    return progress === undefined ? { symbol, state: 'pending', progress: 0 } : { symbol, state: 'running', progress };
  });
}

function symbolsFromManifest(manifest: Manifest | undefined, symbols: string[], fallback: SymbolProgress['state']): SymbolProgress[] {
  const recorded = new Map((manifest?.metadata.symbols ?? []).map((entry) => [entry.symbol, entry]));
  return symbols.map((symbol) => {
    const entry = recorded.get(symbol);
    if (!entry) return { symbol, state: fallback, progress: fallback === 'pending' ? 0 : 1 };
    const done = entry.state === 'completed' || entry.state === 'failed';
    return { symbol, state: entry.state, progress: done ? 1 : 0, ...(entry.error ? { error: entry.error } : {}) };
  });
}

const averageProgress = (symbols: SymbolProgress[]) => symbols.reduce((sum, entry) => sum + entry.progress, 0) / symbols.length;

export async function readTaskView(sources: TaskViewSources, taskId: string): Promise<TaskView | undefined> {
  const { description, row, running } = await describeWithRow(sources.temporal, taskId, () => sources.repository.get(taskId));
  const workflowStatus = description?.status.name;
  // The API puts the request in the memo; a workflow started another way has none until its row exists.
  const started = description?.memo as Partial<TaskMemo> | undefined;
  const memo: TaskMemo | undefined = Array.isArray(started?.symbols)
    ? (started as TaskMemo)
    : row && {
        strategy: row.strategy,
        symbols: row.symbols,
        timeframe: row.timeframe ?? '',
        start_date: row.start_date,
        end_date: row.end_date,
      };
  if (!memo) return undefined;
  const view: TaskView = {
    task_id: taskId,
    ...memo,
    status: row ? rowStatus(row) : 'queued',
    progress: 0,
    waiting_for_worker: false,
    symbols_state: memo.symbols.map((symbol) => ({ symbol, state: 'pending', progress: 0 })),
    created_at: description?.startTime.toISOString() ?? row?.created_at ?? null,
    finished_at: description?.closeTime?.toISOString() ?? row?.metadata.finished_at ?? null,
    result_path: null,
    error: row?.metadata.error ?? null,
    pinned: row?.metadata.pinned === true,
  };

  if (running) {
    const now = Date.now();
    const noWorkerHasIt = hasUnclaimedWorkflowTask(description!, now);
    view.waiting_for_worker = noWorkerHasIt || hasUnclaimedActivities(description!, now);
    const progress = noWorkerHasIt ? rememberedAnswer<TaskProgress>(taskId) : await quickQuery(sources.temporal, taskId, progressQuery);
    if (progress) {
      // Until the workflow has closed, its result may not be in place: never report an end state early.
      view.status = progress.status === 'queued' ? 'queued' : 'running';
      view.symbols_state = await liveSymbolStates(sources.temporal, taskId, description!, progress.symbols);
    } else {
      view.symbols_state = await symbolStatesWithoutQuery(sources.store, taskId, description!, memo.symbols);
      view.status = row || view.symbols_state.some((entry) => entry.state !== 'pending') ? 'running' : 'queued';
    }
    view.progress = averageProgress(view.symbols_state);
    return view;
  }

  const manifest = await readManifest(sources.store, taskId);
  // A finished task whose row and files are gone was deleted (expired or by request): Temporal keeps
  // its history for a while longer, but for users it no longer exists.
  if (description && !row && !manifest) return undefined;
  if (workflowStatus === 'COMPLETED') {
    const result: BacktestWorkflowResult = await sources.temporal.workflow.getHandle<typeof backtestWorkflow>(taskId).result();
    view.status = result.status;
    view.error = result.error ?? null;
  } else if (workflowStatus === 'CANCELLED') {
    view.status = 'cancelled';
  } else if (workflowStatus) {
    // FAILED, TERMINATED, TIMED_OUT
    view.status = row?.metadata.cancelled ? 'cancelled' : 'failed';
    view.error = view.error ?? `workflow ${workflowStatus.toLowerCase()}`;
  }
  view.progress = 1;
  view.symbols_state = symbolsFromManifest(manifest, memo.symbols, view.status === 'cancelled' ? 'pending' : 'failed');
  view.result_path = manifest && manifest.result_files.length > 0 ? taskDirectory(taskId) : null;
  return view;
}
