/**
 * The state of one sweep as a user sees it, from Temporal (live status, the progress query, the heartbeats of
 * running chunks), the sweep's manifest and its database row. Answers quickly whatever the workers do.
 */
import type { Client } from '@temporalio/client';
import { sweepDirectory, type SweepBest, type SweepChunkHeartbeat, type SweepProgress, type SweepStatus } from '../contracts/sweep';
import type { SweepRequest } from '../contracts/sweepRequest';
import type { ParameterSweepRow, ParameterSweepsRepository } from '../storage/parameterSweeps';
import type { BlobStore } from '../storage/providers';
import { readSweepManifest } from '../storage/sweepReader';
import { sweepProgressQuery, type sweepWorkflow } from '../workflows/sweepWorkflow';
import {
  describeWithRow,
  hasUnclaimedActivities,
  hasUnclaimedWorkflowTask,
  heartbeatsOf,
  quickQuery,
  rememberedAnswer,
} from './workflowState';

/** What the API puts in a sweep's workflow memo: the normalised request, so a queued sweep can be described. */
export type SweepMemo = {
  request: SweepRequest;
  combinations: number;
  evaluations: number;
};

export interface SweepView extends SweepMemo {
  sweep_id: string;
  status: SweepStatus;
  evaluated: number;
  progress: number;
  eta_seconds: number | null;
  waiting_for_worker: boolean;
  best: SweepBest | null;
  symbol_progress: { symbol: string; evaluated: number; total: number }[];
  materialized_tasks: string[];
  created_at: string | null;
  finished_at: string | null;
  result_path: string | null;
  error: string | null;
  pinned: boolean;
}

export interface SweepViewSources {
  temporal: Client;
  sweeps: ParameterSweepsRepository;
  store: BlobStore;
}

/** The request as the row keeps it, for a sweep whose workflow Temporal no longer knows. */
function memoFromRow(row: ParameterSweepRow): SweepMemo {
  const { metadata } = row;
  return {
    request: {
      strategy: row.strategy as SweepRequest['strategy'],
      symbols: row.symbols,
      start_date: row.start_date,
      end_date: row.end_date,
      timeframe: row.timeframe as SweepRequest['timeframe'],
      params: (metadata.params ?? {}) as SweepRequest['params'],
      grid: row.grid as SweepRequest['grid'],
      search: (metadata.search as SweepRequest['search']) ?? { method: 'grid' },
      objective: row.objective as SweepRequest['objective'],
      walk_forward: metadata.walk_forward as SweepRequest['walk_forward'],
      materialize_top: metadata.materialize_top ?? 0,
    },
    combinations: row.combinations,
    evaluations: row.evaluations,
  };
}

export async function readSweepView(sources: SweepViewSources, sweepId: string): Promise<SweepView | undefined> {
  const { description, row, running } = await describeWithRow(sources.temporal, sweepId, () => sources.sweeps.get(sweepId));
  const started = description?.memo as Partial<SweepMemo> | undefined;
  const memo = started?.request ? (started as SweepMemo) : row && memoFromRow(row);
  if (!memo) return undefined;
  const total = memo.evaluations;
  const view: SweepView = {
    ...memo,
    sweep_id: sweepId,
    status: row?.status ?? 'queued',
    evaluated: 0,
    progress: 0,
    eta_seconds: null,
    waiting_for_worker: false,
    best: row?.best ?? null,
    symbol_progress: memo.request.symbols.map((symbol) => ({ symbol, evaluated: 0, total: total / memo.request.symbols.length })),
    materialized_tasks: row?.metadata.materialized_tasks ?? [],
    created_at: description?.startTime.toISOString() ?? row?.created_at ?? null,
    finished_at: description?.closeTime?.toISOString() ?? row?.metadata.finished_at ?? null,
    result_path: null,
    error: row?.metadata.error ?? null,
    pinned: row?.pinned ?? false,
  };

  if (running) {
    const now = Date.now();
    const noWorkerHasIt = hasUnclaimedWorkflowTask(description!, now);
    view.waiting_for_worker = noWorkerHasIt || hasUnclaimedActivities(description!, now);
    const progress = noWorkerHasIt
      ? rememberedAnswer<SweepProgress>(sweepId)
      : await quickQuery(sources.temporal, sweepId, sweepProgressQuery);
    if (!progress) return view;
    // finished chunks, plus the rows the running ones have staged (their heartbeats)
    const inFlight = heartbeatsOf<SweepChunkHeartbeat>(description!).reduce((sum, beat) => sum + (beat ? beat.next - beat.first : 0), 0);
    view.status = progress.status === 'queued' ? 'queued' : 'running';
    view.evaluated = Math.min(total, progress.evaluated + inFlight);
    view.progress = total === 0 ? 0 : view.evaluated / total;
    view.best = progress.best;
    view.symbol_progress = progress.symbols;
    if (progress.evaluating_since && view.evaluated > 0) {
      const elapsedSeconds = (now - Date.parse(progress.evaluating_since)) / 1000;
      view.eta_seconds = Math.round(((total - view.evaluated) * elapsedSeconds) / view.evaluated);
    }
    return view;
  }

  const manifest = await readSweepManifest(sources.store, sweepId);
  // A finished sweep whose row and files are gone was deleted: for users it no longer exists.
  if (description && !row && !manifest) return undefined;
  const workflowStatus = description?.status.name;
  if (workflowStatus === 'COMPLETED') {
    const result = await sources.temporal.workflow.getHandle<typeof sweepWorkflow>(sweepId).result();
    view.status = result.status;
  } else if (workflowStatus === 'CANCELLED') {
    view.status = 'cancelled';
  } else if (workflowStatus) {
    view.status = row?.status === 'cancelled' ? 'cancelled' : 'failed';
    view.error ??= manifest?.error.message ?? `workflow ${workflowStatus.toLowerCase()}`;
  }
  view.evaluated = view.status === 'completed' ? total : 0;
  view.progress = view.status === 'completed' ? 1 : 0;
  view.symbol_progress = view.symbol_progress.map((entry) => ({ ...entry, evaluated: view.status === 'completed' ? entry.total : 0 }));
  view.best = manifest?.sweep?.best ?? view.best;
  view.materialized_tasks = manifest?.sweep?.materialized_tasks ?? view.materialized_tasks;
  view.result_path = manifest && manifest.result_files.length > 0 ? sweepDirectory(sweepId) : null;
  view.finished_at ??= manifest?.metadata.finished_at ?? null;
  return view;
}
