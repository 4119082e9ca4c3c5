/**
 * The state of one task as a user sees it, assembled from Temporal (live status, the progress query,
 * heartbeats of running symbol activities), the task's manifest and its database row.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { BacktestWorkflowResult, SymbolHeartbeat, SymbolProgress, TaskProgress, TaskStatus } from '../contracts/task';
import type { BacktestResultsRepository, BacktestResultRow } from '../storage/database';
import type { BlobStore } from '../storage/blobStore';
import { readManifest, type Manifest } from '../storage/taskResult';
import { SYMBOLS_PER_BATCH, symbolBatchWorkflowId, taskDirectory } from '../contracts/task';

export interface TaskMemo {
  strategy: string;
  symbols: string[];
  timeframe: string;
  start_date: string;
  end_date: string;
}

export interface TaskView extends TaskMemo {
  task_id: string;
  status: TaskStatus;
  progress: number;
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

/** A query must not hang the API when no worker is polling. */
const QUERY_DEADLINE_MS = 3000;

async function describeWorkflow(temporal: Client, taskId: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await temporal.workflow.getHandle(taskId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** Fraction done of each running symbol activity, from its last heartbeat. */
function heartbeatProgress(description: WorkflowExecutionDescription): Map<string, number> {
  const progress = new Map<string, number>();
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const details = defaultPayloadConverter.fromPayload<SymbolHeartbeat>(payload);
    if (details?.symbol) progress.set(details.symbol, details.progress);
  }
  return progress;
}

async function queryProgress(temporal: Client, workflowId: string): Promise<TaskProgress | undefined> {
  try {
    return await temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      temporal.workflow.getHandle(workflowId).query<TaskProgress>('progress'),
    );
  } catch {
    return undefined; // no worker has picked the task up yet
  }
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
  const [batchProgress, batchDescription] = await Promise.all([queryProgress(temporal, batchId), describeWorkflow(temporal, batchId)]);
  if (!batchProgress || !batchDescription) return symbols; // the child is about to start
  const states = [...symbols];
  states.splice(batch * SYMBOLS_PER_BATCH, batchProgress.symbols.length, ...withHeartbeats(batchProgress.symbols, batchDescription));
  return states;
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

/** A row's status as users see it: a cancelled task is stored as failed with metadata.cancelled. */
export function rowStatus(row: BacktestResultRow): Exclude<TaskStatus, 'queued'> {
  if (row.status === 'failed' && row.metadata.cancelled === true) return 'cancelled';
  return row.status;
}

export async function readTaskView(sources: TaskViewSources, taskId: string): Promise<TaskView | undefined> {
  const [description, row] = await Promise.all([describeWorkflow(sources.temporal, taskId), sources.repository.get(taskId)]);
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
    symbols_state: memo.symbols.map((symbol) => ({ symbol, state: 'pending', progress: 0 })),
    created_at: description?.startTime.toISOString() ?? row?.created_at ?? null,
    finished_at: description?.closeTime?.toISOString() ?? (row?.metadata.finished_at as string | undefined) ?? null,
    result_path: null,
    error: (row?.metadata.error as string | undefined) ?? null,
    pinned: row?.metadata.pinned === true,
  };

  const workflowStatus = description?.status.name;
  if (workflowStatus === 'RUNNING' || workflowStatus === 'CONTINUED_AS_NEW') {
    const progress = await queryProgress(sources.temporal, taskId);
    if (progress) {
      // Until the workflow has closed, its result may not be in place: never report an end state early.
      view.status = progress.status === 'queued' ? 'queued' : 'running';
      view.symbols_state = await liveSymbolStates(sources.temporal, taskId, description!, progress.symbols);
      view.progress = view.symbols_state.reduce((sum, entry) => sum + entry.progress, 0) / view.symbols_state.length;
    } else {
      view.status = 'queued';
    }
    return view;
  }

  const manifest = await readManifest(sources.store, taskId);
  // A finished task whose row and files are gone was deleted (expired or by request): Temporal keeps
  // its history for a while longer, but for users it no longer exists.
  if (description && !row && !manifest) return undefined;
  if (workflowStatus === 'COMPLETED') {
    const result = (await sources.temporal.workflow.getHandle(taskId).result()) as BacktestWorkflowResult;
    view.status = result.status;
    view.error = result.error ?? null;
  } else if (workflowStatus === 'CANCELLED') {
    view.status = 'cancelled';
  } else if (workflowStatus) {
    // FAILED, TERMINATED, TIMED_OUT
    view.status = 'failed';
    view.error = view.error ?? `workflow ${workflowStatus.toLowerCase()}`;
  }
  view.progress = 1;
  view.symbols_state = symbolsFromManifest(manifest, memo.symbols, view.status === 'cancelled' ? 'pending' : 'failed');
  view.result_path = manifest && manifest.result_files.length > 0 ? taskDirectory(taskId) : null;
  return view;
}
