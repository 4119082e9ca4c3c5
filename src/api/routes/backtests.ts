/** Handlers of the backtest routes: submitting, following, reading results, cancelling, pinning, deleting. */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Counter } from 'prom-client';
import { backtestRoutes, type CandlesResponse, type HistoryItem, type TaskResponse } from '../../contracts/api';
import type { BacktestRequest } from '../../contracts/backtestRequest';
import { taskDirectory, type BacktestWorkflowInput } from '../../contracts/task';
import { aggregateCandles, lowerBound, sliceCandles } from '../../engine/candles';
import type { DataFileReference } from '../../data/marketData';
import { MarketDataError } from '../../data/marketDataError';
import { strategyRegistry } from '../../engine/strategies';
import type { Candles } from '../../engine/types';
import { rowStatus, type BacktestResultRow } from '../../storage/backtestResults';
import { deleteTask } from '../../storage/cleanup';
import { readManifest, type Manifest } from '../../storage/manifest';
import { openResultTables } from '../../storage/resultReader';
import { readPerformanceCurve, readSymbolSignals, readSymbolSummary } from '../../storage/resultTables';
import { backtestWorkflow } from '../../workflows/backtestWorkflow';
import type { RouteHandlers } from '../bindRoutes';
import type { ApiDependencies } from '../dependencies';
import { HttpError } from '../httpError';
import { checkAvailability } from '../marketDataChecks';
import { readTaskView, type TaskMemo, type TaskView } from '../taskView';

/** The workflow's input for a validated request, with the strategy version it was validated against (a worker that loaded another version refuses the task). */
export function backtestWorkflowInput(taskId: string, request: BacktestRequest, maxParallelSymbols: number): BacktestWorkflowInput {
  return {
    task_id: taskId,
    request,
    max_parallel_symbols: maxParallelSymbols,
    strategy_version: strategyRegistry().get(request.strategy)?.version,
  };
}

/** Whether the files read now for `symbol` differ from those its task recorded (false when it recorded none). */
function dataChangedSince(manifest: Manifest, symbol: string, files: DataFileReference[]): boolean {
  const recorded = (manifest.metadata.data_files ?? []).filter((file) => file.symbol === symbol);
  if (recorded.length === 0) return false;
  const now = new Map(files.map((file) => [file.path, file.md5]));
  return recorded.length !== files.length || recorded.some((file) => now.get(file.path) !== file.md5);
}

function candleRows(candles: Candles): CandlesResponse['candles'] {
  return Array.from({ length: candles.length }, (_, i) => ({
    timestamp: new Date(candles.timestamp[i]).toISOString(),
    open: candles.open[i],
    high: candles.high[i],
    low: candles.low[i],
    close: candles.close[i],
    volume: candles.volume[i],
  }));
}

export function taskLinks(config: ApiDependencies['config'], taskId: string) {
  return {
    self: `/api/backtests/${taskId}`,
    result: `/api/backtests/${taskId}/result`,
    temporal_ui: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${taskId}`,
  };
}

function presentTask({ symbols_state, ...rest }: TaskView, config: ApiDependencies['config']): TaskResponse {
  return { ...rest, symbols: symbols_state, links: taskLinks(config, rest.task_id) };
}

export function presentRow(row: BacktestResultRow): HistoryItem {
  return {
    task_id: row.task_id,
    strategy: row.strategy,
    symbols: row.symbols,
    start_date: row.start_date,
    end_date: row.end_date,
    timeframe: row.timeframe,
    status: rowStatus(row),
    created_at: row.created_at,
    updated_at: row.updated_at,
    pinned: row.metadata.pinned === true,
    record_count: row.record_count,
    file_size: row.file_size,
    error: row.metadata.error ?? null,
  };
}

export function backtestHandlers(deps: ApiDependencies, submissions: Counter<'strategy'>): RouteHandlers<typeof backtestRoutes> {
  const { config } = deps;

  /** Checks the data exists, starts the workflow (id = task_id), answers 202. */
  async function submit(request: BacktestRequest) {
    checkAvailability(request, await deps.marketData.availability(request.symbols));
    const task_id = randomUUID();
    const input = backtestWorkflowInput(task_id, request, config.MAX_PARALLEL_SYMBOLS);
    const memo: TaskMemo = {
      strategy: request.strategy,
      symbols: request.symbols,
      timeframe: request.timeframe,
      start_date: request.start_date,
      end_date: request.end_date,
    };
    await deps.temporal.workflow.start(backtestWorkflow, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: task_id,
      args: [input],
      memo,
    });
    submissions.inc({ strategy: request.strategy });
    deps.logger.info({ task_id, strategy: request.strategy, symbols: request.symbols.length }, 'backtest submitted');
    return {
      status: 202 as const,
      body: { task_id, status: 'queued' as const, result_path: taskDirectory(task_id), links: taskLinks(config, task_id) },
    };
  }

  /** The manifest of a finished task; 404 for no task, 409 while it runs. */
  async function finishedManifest(taskId: string): Promise<Manifest> {
    const manifest = await readManifest(deps.store, taskId);
    if (manifest) return manifest;
    const view = await readTaskView(deps, taskId);
    if (!view) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
    throw new HttpError(409, 'result_not_ready', `task ${taskId} is ${view.status}; its result is not available yet`);
  }

  async function viewOrNotFound(taskId: string) {
    const view = await readTaskView(deps, taskId);
    if (!view) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
    return { status: 200 as const, body: presentTask(view, config) };
  }

  async function rowOrNotFound(taskId: string): Promise<BacktestResultRow> {
    const row = await deps.repository.get(taskId);
    if (!row) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
    return row;
  }

  async function isRunning(taskId: string): Promise<boolean> {
    try {
      const description = await deps.temporal.workflow.getHandle(taskId).describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  return {
    submitBacktest: async ({ body }, { response }) => {
      const reply = await submit(body);
      response.location(`/api/backtests/${reply.body.task_id}`);
      return reply;
    },
    // The predecessor's routes, kept for existing clients: same fields as the new ones.
    submitBacktestLegacy: ({ body }) => submit(body),
    getBacktestLegacy: ({ params }) => viewOrNotFound(params.id),
    getBacktest: ({ params }) => viewOrNotFound(params.id),

    compareBacktests: async ({ query: { ids, max_points } }) => {
      const tasks = await Promise.all(
        ids.map(async (taskId) => {
          const manifest = await readManifest(deps.store, taskId);
          if (!manifest) {
            const view = await readTaskView(deps, taskId);
            if (!view) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
            throw new HttpError(409, 'result_not_ready', `task ${taskId} is ${view.status}; only finished tasks can be compared`);
          }
          const tables = await openResultTables(deps.store, taskId, manifest);
          if (!tables)
            throw new HttpError(409, 'no_result', `task ${taskId} ${manifest.status} without a result: ${manifest.error.message}`);
          return {
            task_id: taskId,
            strategy: manifest.strategy,
            params: manifest.params,
            symbols: manifest.symbols,
            start_date: manifest.start_date,
            end_date: manifest.end_date,
            timeframe: manifest.timeframe,
            summary: await readSymbolSummary(tables.symbol_summary),
            equity_curve: await readPerformanceCurve(tables.performance_curve, { maxPoints: max_points }),
          };
        }),
      );
      return { status: 200, body: { tasks } };
    },

    listBacktests: async ({ query: { status, ...filters } }) => {
      const { rows, total } = await deps.repository.list({ ...filters, status });
      return { status: 200, body: { items: rows.map(presentRow), total, limit: filters.limit, offset: filters.offset } };
    },

    getBacktestResult: async ({ params: { id: taskId }, query }) => {
      const manifest = await finishedManifest(taskId);
      const { symbol, trades_offset, trades_limit, trades_sort, trades_order, max_points } = query;
      const sort = trades_sort === undefined ? undefined : { column: trades_sort, descending: trades_order === 'desc' };
      const tables = await openResultTables(deps.store, taskId, manifest);
      return {
        status: 200,
        body: {
          task_id: taskId,
          status: manifest.status,
          result_path: taskDirectory(taskId),
          manifest,
          summary: tables ? await readSymbolSummary(tables.symbol_summary) : [],
          trades: tables
            ? await readSymbolSignals(tables.symbol_signals, { symbol, offset: trades_offset, limit: trades_limit, sort })
            : { rows: [], total: 0 },
          equity_curve: tables ? await readPerformanceCurve(tables.performance_curve, { symbol, maxPoints: max_points }) : [],
        },
      };
    },

    getBacktestCandles: async ({ params: { id: taskId }, query: { symbol, max_points, from, to } }) => {
      const manifest = await finishedManifest(taskId);
      if (!manifest.symbols.includes(symbol)) {
        const message = `symbol ${symbol} is not part of task ${taskId}; its symbols: ${manifest.symbols.join(', ')}`;
        throw new HttpError(422, 'validation_failed', message, [{ field: 'symbol', message }]);
      }
      let loaded;
      try {
        loaded = await deps.marketData.loadCandles({
          symbol,
          timeframe: manifest.timeframe,
          startDate: manifest.start_date,
          endDate: manifest.end_date,
        });
      } catch (error) {
        if (!(error instanceof MarketDataError)) throw error;
        throw new HttpError(
          409,
          'market_data_unavailable',
          `the market data of ${symbol} for task ${taskId} cannot be read: ${error.message}`,
        );
      }
      const { candles, files } = loaded;
      // bars with from <= timestamp <= to (epoch milliseconds are whole numbers)
      const first = from === undefined ? 0 : lowerBound(candles.timestamp, candles.length, Date.parse(from));
      const end = to === undefined ? candles.length : lowerBound(candles.timestamp, candles.length, Date.parse(to) + 1);
      const range = sliceCandles(candles, first, Math.max(first, end));
      const merged = aggregateCandles(range, max_points);
      return {
        status: 200,
        body: {
          task_id: taskId,
          symbol,
          timeframe: manifest.timeframe,
          bars: range.length,
          bars_per_candle: merged.barsPerCandle,
          data_changed: dataChangedSince(manifest, symbol, files),
          candles: candleRows(merged.candles),
        },
      };
    },

    /** Only the manifest and the files it lists can be downloaded; they stream from the store. */
    downloadBacktestFile: async ({ params: { id: taskId, name } }) => {
      const manifest = await readManifest(deps.store, taskId);
      if (!manifest) throw new HttpError(404, 'task_not_found', `task ${taskId} has no result files`);
      const listed = name === 'manifest.json' || manifest.result_files.some((file) => file.name === name);
      if (!listed) {
        const names = ['manifest.json', ...manifest.result_files.map((file) => file.name)].join(', ');
        throw new HttpError(404, 'file_not_found', `no file ${JSON.stringify(name)} in task ${taskId}; files: ${names}`);
      }
      const key = `${taskDirectory(taskId)}/${name}`;
      const info = await deps.store.stat(key);
      return { status: 200, file: { name, stream: await deps.store.getStream(key), size: info?.size } };
    },

    cancelBacktest: async ({ params: { id: taskId } }) => {
      if (!(await isRunning(taskId))) {
        const row = await rowOrNotFound(taskId);
        throw new HttpError(409, 'task_not_running', `task ${taskId} is ${rowStatus(row)}; only a running task can be cancelled`);
      }
      await deps.temporal.workflow.getHandle(taskId).cancel();
      deps.logger.info({ task_id: taskId }, 'cancel requested');
      return { status: 202, body: { task_id: taskId, status: 'cancelling' } };
    },

    updateBacktest: async ({ params: { id: taskId }, body }) => {
      await rowOrNotFound(taskId);
      const row = await deps.repository.setPinned(taskId, body.pinned);
      if (!row) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
      return { status: 200, body: presentRow(row) };
    },

    deleteBacktest: async ({ params: { id: taskId } }) => {
      await rowOrNotFound(taskId);
      if (await isRunning(taskId)) throw new HttpError(409, 'task_running', `task ${taskId} is still running; cancel it first`);
      await deleteTask(deps, taskId);
      deps.logger.info({ task_id: taskId }, 'task deleted');
      return { status: 204 };
    },
  };
}
