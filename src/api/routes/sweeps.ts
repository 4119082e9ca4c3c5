/** Handlers of the sweep routes (DESIGN.md section 12): starting, following, reading results, managing sweeps. */
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { sweepRoutes, type SweepItem, type SweepResponse } from '../../contracts/api';
import { sweepDirectory, type SweepWorkflowInput } from '../../contracts/sweep';
import { combinationsOf, metricDirection, type SweepRequest } from '../../contracts/sweepRequest';
import { MarketDataError } from '../../data/marketDataError';
import { getStrategy, strategyRegistry } from '../../engine/strategies';
import { gridLayout, largestWarmupBars, walkForwardFolds } from '../../engine/sweep';
import { deleteSweep } from '../../storage/cleanup';
import type { ParameterSweepRow } from '../../storage/parameterSweeps';
import { readPerformanceCurve } from '../../storage/resultTables';
import { heatmapOf, openSweepTable, queryRows, type SweepTableName } from '../../storage/sweepReader';
import { PART_ROWS } from '../../storage/sweepStaging';
import { sweepWorkflow } from '../../workflows/sweepWorkflow';
import type { RouteHandlers } from '../bindRoutes';
import type { ApiDependencies } from '../dependencies';
import { HttpError, type ErrorDetail } from '../httpError';
import { checkAvailability } from '../marketDataChecks';
import { readSweepManifest } from '../../storage/sweepReader';
import { readSweepView, type SweepMemo, type SweepView } from '../sweepView';
import { describeWorkflow, isRunning } from '../workflowState';

const refuse = (details: ErrorDetail[]) =>
  new HttpError(
    422,
    'validation_failed',
    `invalid sweep: ${details.map((detail) => `${detail.field}: ${detail.message}`).join('; ')}`,
    details,
  );

/** Combinations per chunk: enough chunks to keep every lane busy, each long enough to pay for its round trip; whole parts. */
function chunkSize(combinations: number, parallelChunks: number, configured: number | undefined): number {
  const size = configured ?? Math.min(4096, Math.max(PART_ROWS, Math.ceil(combinations / (parallelChunks * 2))));
  return Math.ceil(size / PART_ROWS) * PART_ROWS;
}

export function sweepLinks(config: ApiDependencies['config'], sweepId: string) {
  const self = `/api/sweeps/${sweepId}`;
  return {
    self,
    results: `${self}/results`,
    heatmap: `${self}/heatmap`,
    walk_forward: `${self}/walk-forward`,
    temporal_ui: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${sweepId}`,
  };
}

function presentSweep(view: SweepView, config: ApiDependencies['config']): SweepResponse {
  const { request, combinations, evaluations, ...state } = view;
  return {
    ...state,
    strategy: request.strategy,
    symbols: request.symbols,
    start_date: request.start_date,
    end_date: request.end_date,
    timeframe: request.timeframe,
    params: request.params,
    grid: request.grid,
    search: request.search,
    objective: request.objective,
    walk_forward: request.walk_forward ?? null,
    combinations,
    evaluations,
    links: sweepLinks(config, view.sweep_id),
  };
}

function presentItem(row: ParameterSweepRow): SweepItem {
  return {
    sweep_id: row.sweep_id,
    status: row.status,
    strategy: row.strategy,
    symbols: row.symbols,
    start_date: row.start_date,
    end_date: row.end_date,
    timeframe: row.timeframe,
    combinations: row.combinations,
    evaluations: row.evaluations,
    best: row.best,
    pinned: row.pinned,
    created_at: row.created_at,
    updated_at: row.updated_at,
    error: row.metadata.error ?? null,
  };
}

export function sweepHandlers(deps: ApiDependencies, submissions: Counter<'strategy'>): RouteHandlers<typeof sweepRoutes> {
  const { config } = deps;

  /** Caps of the configuration and the walk-forward folds against the data: 422 naming the field. */
  async function checkSize(request: SweepRequest): Promise<{ combinations: number; evaluations: number }> {
    const gridCombinations = combinationsOf(request.grid);
    // A random search evaluates its samples: its grid may be far larger than the cap, not beyond exact ids.
    const random = request.search.method === 'random';
    if (random && !Number.isSafeInteger(gridCombinations)) {
      throw refuse([
        { field: 'grid', message: `${gridCombinations} combinations: too many to number; at most ${Number.MAX_SAFE_INTEGER}` },
      ]);
    }
    const combinations = request.search.method === 'random' ? request.search.samples : gridCombinations;
    if (combinations > config.MAX_SWEEP_COMBINATIONS) {
      throw refuse([
        {
          field: random ? 'search.samples' : 'grid',
          message: `${combinations} combinations asked for; at most ${config.MAX_SWEEP_COMBINATIONS}`,
        },
      ]);
    }
    const evaluations = combinations * request.symbols.length * Math.max(1, request.walk_forward?.folds ?? 0);
    if (evaluations > config.MAX_SWEEP_EVALUATIONS) {
      throw refuse([
        {
          field: 'grid',
          message: `${evaluations} evaluations (combinations x symbols x folds) asked for; at most ${config.MAX_SWEEP_EVALUATIONS}`,
        },
      ]);
    }
    if (request.walk_forward) {
      const warmupBars = largestWarmupBars(getStrategy(request.strategy), request.params, gridLayout(request.grid));
      for (const symbol of request.symbols) {
        let candles: number;
        try {
          const range = { symbol, timeframe: request.timeframe, startDate: request.start_date, endDate: request.end_date };
          candles = (await deps.marketData.loadCandles(range)).candles.length;
        } catch (error) {
          if (error instanceof MarketDataError) throw refuse([{ field: 'symbols', message: error.message }]);
          throw error;
        }
        let shortest: number;
        try {
          shortest = Math.min(...walkForwardFolds(candles, request.walk_forward).map((fold) => fold.inSampleEnd - fold.inSampleStart));
        } catch (error) {
          throw refuse([{ field: 'walk_forward.folds', message: `${symbol}: ${(error as Error).message}` }]);
        }
        if (shortest <= warmupBars) {
          throw refuse([
            {
              field: 'walk_forward.folds',
              message: `${symbol}: ${candles} candles in ${request.walk_forward.folds} folds leave in-sample parts of ${shortest} candles, too short for the strategy's window of ${warmupBars}; use fewer folds or a longer range`,
            },
          ]);
        }
      }
    }
    return { combinations, evaluations };
  }

  async function viewOrNotFound(sweepId: string): Promise<SweepView> {
    const view = await readSweepView(deps, sweepId);
    if (!view) throw new HttpError(404, 'sweep_not_found', `no sweep ${sweepId}`);
    return view;
  }

  /** A completed sweep's table, or 404 / 409 saying why there is none. */
  async function finishedTable(sweepId: string, name: SweepTableName) {
    const manifest = await readSweepManifest(deps.store, sweepId);
    if (!manifest) {
      const view = await viewOrNotFound(sweepId);
      throw new HttpError(409, 'result_not_ready', `sweep ${sweepId} is ${view.status}; its results are not available yet`);
    }
    if (manifest.status !== 'completed') throw new HttpError(409, 'no_result', `sweep ${sweepId} failed: ${manifest.error.message}`);
    const table = await openSweepTable(deps.store, sweepId, name);
    if (!table) throw new HttpError(409, 'no_result', `sweep ${sweepId} has no ${name} table`);
    return { manifest, table };
  }

  async function rowOrNotFound(sweepId: string): Promise<ParameterSweepRow> {
    const row = await deps.sweeps.get(sweepId);
    if (!row) throw new HttpError(404, 'sweep_not_found', `no sweep ${sweepId}`);
    return row;
  }

  return {
    createSweep: async ({ body: request }, { response }) => {
      checkAvailability(request, await deps.marketData.availability(request.symbols));
      const { combinations, evaluations } = await checkSize(request);
      const sweep_id = randomUUID();
      const input: SweepWorkflowInput = {
        sweep_id,
        request,
        combinations,
        evaluations,
        chunk_size: chunkSize(combinations, config.SWEEP_PARALLEL_CHUNKS, config.SWEEP_CHUNK_COMBINATIONS),
        max_parallel_chunks: config.SWEEP_PARALLEL_CHUNKS,
        max_parallel_symbols: config.MAX_PARALLEL_SYMBOLS,
        // the version validated against: a worker that loaded another one refuses the sweep
        strategy_version: strategyRegistry().get(request.strategy)?.version,
      };
      const memo: SweepMemo = { request, combinations, evaluations };
      await deps.temporal.workflow.start(sweepWorkflow, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: sweep_id,
        args: [input],
        memo,
      });
      submissions.inc({ strategy: request.strategy });
      deps.logger.info({ sweep_id, strategy: request.strategy, combinations, evaluations }, 'sweep submitted');
      response.location(`/api/sweeps/${sweep_id}`);
      return { status: 202, body: { sweep_id, status: 'queued', combinations, evaluations, links: sweepLinks(config, sweep_id) } };
    },

    listSweeps: async ({ query }) => {
      const { rows, total } = await deps.sweeps.list(query);
      return { status: 200, body: { items: rows.map(presentItem), total, limit: query.limit, offset: query.offset } };
    },

    getSweep: async ({ params }) => ({ status: 200, body: presentSweep(await viewOrNotFound(params.id), config) }),

    getSweepResults: async ({ params: { id }, query }) => {
      const view = await viewOrNotFound(id);
      const perCombination = query.symbol === 'all';
      const { table } = await finishedTable(id, perCombination ? 'combo_summary' : 'sweep_results');
      const objective = view.request.objective;
      // default: the objective, best first (its rank)
      const sort = query.sort ?? 'rank';
      if (!table.getChild(sort)) {
        const columns = table.schema.fields.map((field) => field.name).join(', ');
        throw refuse([
          { field: 'sort', message: `no column ${sort} in ${perCombination ? 'combo_summary' : 'sweep_results'}; columns: ${columns}` },
        ]);
      }
      const where: Record<string, string | number> = perCombination ? {} : { symbol: query.symbol };
      if (query.fold !== undefined && !perCombination) where.fold = query.fold;
      const descending = query.order
        ? query.order === 'desc'
        : sort !== 'rank' && sort === objective.metric && objective.direction === 'max';
      const page = queryRows(table, { where, minTrades: query.min_trades, sort, descending, limit: query.limit, offset: query.offset });
      return { status: 200, body: { table: perCombination ? 'combo_summary' : 'sweep_results', ...page } };
    },

    getSweepHeatmap: async ({ params: { id }, query }) => {
      const view = await viewOrNotFound(id);
      const swept = Object.keys(view.request.grid);
      const details: ErrorDetail[] = (['x', 'y'] as const)
        .filter((axis) => !swept.includes(query[axis]))
        .map((axis) => ({ field: axis, message: `${query[axis]} is not a swept parameter; swept: ${swept.join(', ')}` }));
      if (query.x === query.y) details.push({ field: 'y', message: 'x and y must be two different parameters' });
      if (details.length > 0) throw refuse(details);
      const { table } = await finishedTable(id, 'sweep_results');
      const metric = query.metric ?? view.request.objective.metric;
      const { objective } = view.request;
      const best = metric === objective.metric ? (objective.direction ?? metricDirection(metric)) : metricDirection(metric);
      const reduce = query.reduce === 'best' ? best : query.reduce;
      const where: Record<string, string | number> = query.symbol === 'all' ? {} : { symbol: query.symbol };
      if (query.fold !== undefined) where.fold = query.fold;
      return {
        status: 200,
        body: {
          x: query.x,
          y: query.y,
          metric,
          reduce,
          ...heatmapOf(table, { x: query.x, y: query.y, metric, reduce, where }),
        },
      };
    },

    getSweepWalkForward: async ({ params: { id }, query }) => {
      const view = await viewOrNotFound(id);
      if (!view.request.walk_forward) throw new HttpError(409, 'no_walk_forward', `sweep ${id} was run without walk_forward`);
      const { manifest, table } = await finishedTable(id, 'walk_forward');
      const folds = queryRows(table, { sort: 'fold', descending: false, limit: table.numRows, offset: 0 }).rows;
      const curveBytes = await deps.store.get(`${sweepDirectory(id)}/oos_curve.parquet`);
      return {
        status: 200,
        body: {
          folds,
          efficiency: manifest.sweep?.efficiency ?? null,
          stitched: (manifest.sweep?.stitched ?? []) as never,
          curve: await readPerformanceCurve(curveBytes, { maxPoints: query.max_points }),
        },
      };
    },

    downloadSweepFile: async ({ params: { id, name } }) => {
      const manifest = await readSweepManifest(deps.store, id);
      if (!manifest) throw new HttpError(404, 'sweep_not_found', `sweep ${id} has no result files`);
      const listed = name === 'manifest.json' || manifest.result_files.some((file) => file.name === name);
      if (!listed) {
        const names = ['manifest.json', ...manifest.result_files.map((file) => file.name)].join(', ');
        throw new HttpError(404, 'file_not_found', `no file ${JSON.stringify(name)} in sweep ${id}; files: ${names}`);
      }
      const key = `${sweepDirectory(id)}/${name}`;
      const info = await deps.store.stat(key);
      return { status: 200, file: { name, stream: await deps.store.getStream(key), size: info?.size } };
    },

    cancelSweep: async ({ params: { id } }) => {
      if (!isRunning(await describeWorkflow(deps.temporal, id))) {
        const view = await viewOrNotFound(id);
        throw new HttpError(409, 'sweep_not_running', `sweep ${id} is ${view.status}; only a running sweep can be cancelled`);
      }
      await deps.temporal.workflow.getHandle(id).cancel();
      deps.logger.info({ sweep_id: id }, 'sweep cancel requested');
      return { status: 202, body: { sweep_id: id, status: 'cancelling' } };
    },

    updateSweep: async ({ params: { id }, body }) => {
      await rowOrNotFound(id);
      const row = await deps.sweeps.setPinned(id, body.pinned);
      if (!row) throw new HttpError(404, 'sweep_not_found', `no sweep ${id}`);
      return { status: 200, body: presentItem(row) };
    },

    deleteSweep: async ({ params: { id } }) => {
      await rowOrNotFound(id);
      if (isRunning(await describeWorkflow(deps.temporal, id)))
        throw new HttpError(409, 'sweep_running', `sweep ${id} is still running; cancel it first`);
      await deleteSweep(deps, id);
      deps.logger.info({ sweep_id: id }, 'sweep deleted');
      return { status: 204 };
    },
  };
}
