/**
 * The end of a sweep: its staged rows merged into the result tables (sweep_results, combo_summary and, with
 * walk-forward, walk_forward and oos_curve), then, once the workflow has started the materialized backtests,
 * the manifest, last, and the row. Both steps depend only on what is staged, so a retry writes the same bytes.
 */
import { hostname } from 'node:os';
import { ApplicationFailure } from '@temporalio/activity';
import type { Table } from 'apache-arrow';
import type { Manifest } from '../contracts/manifest';
import { sweepDirectory, type SweepBest } from '../contracts/sweep';
import type { SweepRequest } from '../contracts/sweepRequest';
import { comboParams, rankOrder, ranksInto, walkForwardEfficiency, type FoldReturns, type SweepRows } from '../engine/sweep';
import type { SymbolSummary } from '../engine/types';
import { md5 } from '../shared/checksum';
import { tableToParquet } from '../shared/parquet';
import { expiryOf } from '../storage/cleanup';
import { RESULT_SCHEMA_VERSION, type ResultFile } from '../storage/manifest';
import { readOutOfSample, readStagedRows, sweepStagingDirectory } from '../storage/sweepStaging';
import {
  buildComboSummaryTable,
  buildSweepResultsTable,
  buildWalkForwardTable,
  type RankedRows,
  type WalkForwardRow,
} from '../storage/sweepTables';
import type { ActivityDependencies } from './dependencies';
import type { SweepContext, SweepContexts } from './sweepContext';

const codeVersion: string = require('../../package.json').version;

/** What the persist step found, for the materialized backtests and the manifest. */
export interface SweepResultFiles {
  files: ResultFile[];
  best: SweepBest | null;
  /** The best combinations (up to materialize_top), best first. */
  top: { combo_id: number; params: Record<string, unknown> }[];
  efficiency: number | null;
  stitched: (SymbolSummary & { symbol: string })[];
}

export interface FinishSweepInput {
  sweep_id: string;
  request: SweepRequest;
  combinations: number;
  evaluations: number;
  started_at: string;
  /** Recorded in the manifest as metadata.strategy_version. */
  strategy_version?: string;
  results: SweepResultFiles;
  materialized_tasks: string[];
  /** Rows evaluated twice because a worker stopped mid-chunk (counted by the chunk activities). */
  reevaluated: number;
}

export interface SweepFailureInput {
  sweep_id: string;
  request: SweepRequest;
  combinations: number;
  evaluations: number;
  started_at: string;
  strategy_version?: string;
  message: string;
  cancelled: boolean;
}

/** The segments of a sweep: each symbol's whole range, or each of its folds' in-sample parts. */
export const segmentsOf = (context: SweepContext): { symbol: string; fold: number | null }[] =>
  context.plan.symbols.flatMap<{ symbol: string; fold: number | null }>(({ symbol, folds }) =>
    folds.length === 0 ? [{ symbol, fold: null }] : folds.map((fold) => ({ symbol, fold: fold.fold })),
  );

/**
 * One row per combination over every segment: the objective's mean and minimum, trades, how often it ranked
 * first, and its rank by the mean (combinations whose segments average fewer than min_trades closed trades last).
 */
function summarizeCombos(context: SweepContext, parts: RankedRows[]) {
  const count = context.comboIds.length;
  const metric = context.objective.metric;
  const objectiveMean = new Float64Array(count);
  const objectiveMin = new Float64Array(count);
  const tradesTotal = new Float64Array(count);
  const closedMean = new Float64Array(count);
  const symbolsRankedFirst = new Int32Array(count);
  // each combination across the segments (every part holds every combination, in combo-id order)
  for (let row = 0; row < count; row++) {
    let sum = 0;
    let defined = 0;
    let lowest = Infinity;
    let closed = 0;
    for (const part of parts) {
      const value = part.metrics[metric][row];
      tradesTotal[row] += part.metrics.total_signals[row];
      closed += part.metrics.winning_signals[row] + part.metrics.losing_signals[row];
      if (part.rank[row] === 1) symbolsRankedFirst[row]++;
      if (Number.isNaN(value)) continue;
      sum += value;
      defined++;
      lowest = Math.min(lowest, value);
    }
    objectiveMean[row] = defined === 0 ? NaN : sum / defined;
    objectiveMin[row] = defined === 0 ? NaN : lowest;
    closedMean[row] = closed / parts.length;
  }
  // ranked with the rows' own rules: the mean stands in for the metric, the mean closed trades for the trades
  const asRows = {
    capacity: count,
    comboId: context.comboIds,
    metrics: { [metric]: objectiveMean, winning_signals: closedMean, losing_signals: new Float64Array(count) },
  } as unknown as SweepRows;
  const order = rankOrder(asRows, 0, count, context.objective);
  return {
    comboId: context.comboIds,
    objectiveMean,
    objectiveMin,
    tradesTotal,
    symbolsRankedFirst,
    rank: ranksInto(order, 0, new Int32Array(count)),
    order,
  };
}

export function createPersistSweep({ config, store, sweeps, logger, workerId }: ActivityDependencies, sweepContext: SweepContexts) {
  const retention = { completed: config.TASK_RESULT_TTL_DAYS, failed: config.FAILED_TASK_TTL_DAYS };
  const directory = (sweepId: string) => sweepDirectory(sweepId);

  async function putFiles(sweepId: string, files: [string, Uint8Array | string][]): Promise<ResultFile[]> {
    const described: ResultFile[] = [];
    for (const [name, bytes] of files) {
      await store.put(`${directory(sweepId)}/${name}`, bytes);
      described.push({ name, path: name, size_bytes: Buffer.byteLength(bytes), checksum: md5(bytes) });
    }
    return described;
  }

  async function buildSweepResults({ sweep_id }: { sweep_id: string }): Promise<SweepResultFiles> {
    const context = await sweepContext(sweep_id);
    const { request, layout, paramColumns, objective } = context;
    const parts: RankedRows[] = [];
    for (const { symbol, fold } of segmentsOf(context)) {
      const rows = await readStagedRows(store, sweep_id, symbol, fold);
      if (rows.capacity !== context.comboIds.length) {
        throw ApplicationFailure.nonRetryable(
          `sweep ${sweep_id}: ${symbol} ${fold === null ? '' : `fold ${fold} `}has ${rows.capacity} of ${context.comboIds.length} rows staged`,
          'IncompleteSweep',
        );
      }
      const rank = ranksInto(rankOrder(rows, 0, rows.capacity, objective), 0, new Int32Array(rows.capacity));
      parts.push({ symbol, fold, comboId: rows.comboId, metrics: rows.metrics, rank });
    }
    const combos = summarizeCombos(context, parts);
    const compression = config.PARQUET_COMPRESSION;
    const tables: [string, Table][] = [
      ['sweep_results', buildSweepResultsTable(parts, layout, paramColumns)],
      ['combo_summary', buildComboSummaryTable(combos, layout, paramColumns)],
    ];

    const walkForwardRows: WalkForwardRow[] = [];
    const stitched: SweepResultFiles['stitched'] = [];
    const foldReturns: FoldReturns[] = [];
    if (request.walk_forward) {
      const curves: Table[] = [];
      for (const symbolPlan of context.plan.symbols) {
        const staged = await readOutOfSample(store, sweep_id, symbolPlan.symbol);
        if (!staged)
          throw ApplicationFailure.nonRetryable(`sweep ${sweep_id}: no out-of-sample run of ${symbolPlan.symbol}`, 'IncompleteSweep');
        curves.push(staged.curve);
        if (staged.record.stitched) stitched.push({ symbol: symbolPlan.symbol, ...staged.record.stitched });
        for (const fold of staged.record.folds) {
          const bounds = symbolPlan.folds[fold.fold];
          walkForwardRows.push({
            symbol: symbolPlan.symbol,
            fold: fold.fold,
            in_sample_start: bounds.in_sample_start_ms,
            in_sample_end: bounds.in_sample_end_ms,
            out_of_sample_start: bounds.out_of_sample_start_ms,
            out_of_sample_end: bounds.out_of_sample_end_ms,
            combo_id: fold.combo_id,
            in_sample_objective: fold.in_sample_objective,
            out_of_sample_objective: fold.out_of_sample_objective,
            in_sample_return_pct: fold.in_sample_return_pct,
            out_of_sample_return_pct: fold.out_of_sample_return_pct,
          });
          foldReturns.push({
            inSampleReturnPct: fold.in_sample_return_pct,
            inSampleBars: bounds.inSampleEnd - bounds.inSampleStart,
            outOfSampleReturnPct: fold.out_of_sample_return_pct,
            outOfSampleBars: bounds.outOfSampleEnd - bounds.outOfSampleStart,
          });
        }
      }
      tables.push(['walk_forward', buildWalkForwardTable(walkForwardRows, layout, paramColumns)]);
      tables.push(['oos_curve', curves[0].concat(...curves.slice(1))]);
    }

    const encoded: [string, Uint8Array | string][] = tables.map(([name, table]) => [`${name}.parquet`, tableToParquet(table, compression)]);
    const parquetFiles = Object.fromEntries(
      tables.map(([name, table], index) => [name, { row_count: table.numRows, file_size_bytes: encoded[index][1].length }]),
    );
    encoded.push([
      'metadata.json',
      JSON.stringify(
        { schema_version: RESULT_SCHEMA_VERSION, compression, parquet_files: parquetFiles, created_at: context.plan.started_at, sweep_id },
        null,
        2,
      ),
    ]);
    const files = await putFiles(sweep_id, encoded);

    const ranked = Array.from(combos.order.subarray(0, Math.max(1, request.materialize_top)), (row) => ({
      combo_id: combos.comboId[row],
      params: comboParams(layout, combos.comboId[row]) as Record<string, unknown>,
    }));
    const first = combos.order[0];
    const best: SweepBest | null =
      first === undefined
        ? null
        : {
            combo_id: combos.comboId[first],
            params: ranked[0].params,
            objective: Number.isNaN(combos.objectiveMean[first]) ? null : combos.objectiveMean[first],
          };
    logger.info({ sweep_id, rows: parts.reduce((sum, part) => sum + part.comboId.length, 0), best }, 'sweep results written');
    return {
      files,
      best,
      top: ranked.slice(0, request.materialize_top),
      efficiency: request.walk_forward ? walkForwardEfficiency(foldReturns, context.periodsPerYear).efficiency : null,
      stitched,
    };
  }

  function sweepManifest(
    input: Omit<FinishSweepInput, 'results' | 'materialized_tasks' | 'reevaluated'>,
    status: 'completed' | 'failed',
    finishedAt: string,
  ) {
    const { sweep_id, request } = input;
    const durationMs = Date.parse(finishedAt) - Date.parse(input.started_at);
    return {
      task_id: sweep_id,
      status,
      strategy: request.strategy,
      params: request.params,
      symbols: request.symbols,
      start_date: request.start_date,
      end_date: request.end_date,
      timeframe: request.timeframe,
      result_files: [] as ResultFile[],
      metadata: {
        started_at: input.started_at,
        finished_at: finishedAt,
        duration_ms: durationMs,
        execution_host: hostname(),
        environment: config.NODE_ENV,
        worker_id: workerId,
        code_version: codeVersion,
        strategy_version: input.strategy_version,
        schema_version: RESULT_SCHEMA_VERSION,
        compression: config.PARQUET_COMPRESSION,
        symbols: request.symbols.map((symbol) => ({
          symbol,
          state: status === 'completed' ? ('completed' as const) : ('failed' as const),
        })),
      },
      summary: {
        total_signals: 0,
        symbols_processed: status === 'completed' ? request.symbols.length : 0,
        symbols_failed: status === 'completed' ? 0 : request.symbols.length,
        average_execution_time_per_symbol_ms: durationMs / request.symbols.length,
      },
      error: { occurred: status === 'failed', message: null as string | null },
    } satisfies Manifest;
  }

  function rowIdentity(input: Pick<FinishSweepInput, 'sweep_id' | 'request' | 'combinations' | 'evaluations'>) {
    const { request } = input;
    return {
      sweep_id: input.sweep_id,
      strategy: request.strategy,
      symbols: request.symbols,
      start_date: request.start_date,
      end_date: request.end_date,
      timeframe: request.timeframe,
      grid: request.grid,
      objective: request.objective,
      combinations: input.combinations,
      evaluations: input.evaluations,
    };
  }

  /** The manifest, last, then the row; the staging goes. Returns when the sweep expires. */
  async function finishSweep(input: FinishSweepInput): Promise<{ expires_at: string }> {
    const { sweep_id, request, results } = input;
    const finishedAt = new Date().toISOString();
    const manifest = {
      ...sweepManifest(input, 'completed', finishedAt),
      result_files: results.files,
      sweep: {
        grid: request.grid,
        search: request.search,
        objective: request.objective,
        walk_forward: request.walk_forward ?? null,
        combinations: input.combinations,
        evaluations: input.evaluations,
        best: results.best,
        materialized_tasks: input.materialized_tasks,
        efficiency: results.efficiency,
        stitched: results.stitched,
        reevaluated: input.reevaluated,
      },
    };
    await store.put(`${directory(sweep_id)}/manifest.json`, JSON.stringify(manifest, null, 2));
    const expires_at = expiryOf('completed', finishedAt, retention);
    await sweeps.recordFinished({
      ...rowIdentity(input),
      status: 'completed',
      best: results.best,
      result_path: directory(sweep_id),
      expires_at,
      metadata: {
        params: request.params,
        search: request.search,
        walk_forward: request.walk_forward,
        finished_at: finishedAt,
        materialized_tasks: input.materialized_tasks,
      },
    });
    await store.remove(sweepStagingDirectory(sweep_id));
    logger.info({ sweep_id, best: results.best }, 'sweep completed');
    return { expires_at };
  }

  async function recordSweepStart(input: Pick<FinishSweepInput, 'sweep_id' | 'request' | 'combinations' | 'evaluations'>): Promise<void> {
    await sweeps.insertRunning({
      ...rowIdentity(input),
      metadata: { params: input.request.params, search: input.request.search, walk_forward: input.request.walk_forward },
    });
  }

  /** A sweep that could not finish (cancelled, or failed for good): a failed manifest, no staging, a row that says so. */
  async function recordSweepFailure(input: SweepFailureInput): Promise<{ expires_at: string }> {
    const finishedAt = new Date().toISOString();
    const manifest = sweepManifest(input, 'failed', finishedAt);
    manifest.error.message = input.message;
    await store.put(`${directory(input.sweep_id)}/manifest.json`, JSON.stringify(manifest, null, 2));
    await store.remove(sweepStagingDirectory(input.sweep_id));
    const expires_at = expiryOf('failed', finishedAt, retention);
    await sweeps.recordFinished({
      ...rowIdentity(input),
      status: input.cancelled ? 'cancelled' : 'failed',
      best: null,
      result_path: null,
      expires_at,
      metadata: { error: input.message, finished_at: finishedAt },
    });
    logger.warn({ sweep_id: input.sweep_id, cancelled: input.cancelled, err: input.message }, 'sweep failed');
    return { expires_at };
  }

  return { buildSweepResults, finishSweep, recordSweepStart, recordSweepFailure };
}
