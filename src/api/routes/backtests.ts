/** Submitting backtests, following them, and reading their results. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Counter } from 'prom-client';
import {
  resultQuerySchema,
  taskIdParamsSchema,
  type ResultResponse,
  type SubmissionResponse,
  type TaskResponse,
} from '../../contracts/api';
import { backtestRequestSchema, type BacktestRequest } from '../../contracts/backtestRequest';
import { taskDirectory, type BacktestWorkflowInput } from '../../contracts/task';
import type { MarketDataEntry } from '../../data/marketData';
import { readPerformanceCurve, readSymbolSignals, readSymbolSummary } from '../../storage/resultTables';
import { openResultTables, readManifest } from '../../storage/taskResult';
import type { ApiDependencies } from '../dependencies';
import { HttpError, validationError } from '../httpError';
import { readTaskView, type TaskMemo, type TaskView } from '../taskView';

export function parseTaskId(value: string): string {
  if (!taskIdParamsSchema.shape.id.safeParse(value).success) {
    throw new HttpError(404, 'task_not_found', `no task ${JSON.stringify(value)}: task ids are UUIDs`);
  }
  return value;
}

/** Symbols and timeframe must exist in the market data; returns 422 details otherwise. */
function checkAvailability(request: BacktestRequest, available: MarketDataEntry[]): void {
  const bySymbol = new Map(available.map((entry) => [entry.symbol, entry]));
  const details = request.symbols.flatMap((symbol, index) => {
    const entry = bySymbol.get(symbol);
    if (!entry) return [{ field: `symbols.${index}`, message: `unknown symbol ${symbol}; GET /api/data/symbols lists the available ones` }];
    if (!entry.timeframes.some((tf) => tf.timeframe === request.timeframe)) {
      const have = entry.timeframes.map((tf) => tf.timeframe).join(', ');
      return [{ field: 'timeframe', message: `${symbol} has no ${request.timeframe} data; available: ${have}` }];
    }
    return [];
  });
  if (details.length > 0) {
    throw new HttpError(422, 'validation_failed', `invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
}

export function taskLinks(config: ApiDependencies['config'], taskId: string) {
  return {
    self: `/api/backtests/${taskId}`,
    result: `/api/backtests/${taskId}/result`,
    temporal_ui: `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${taskId}`,
  };
}

export function presentTask(view: TaskView, config: ApiDependencies['config']): TaskResponse {
  const { symbols_state, ...rest } = view;
  return { ...rest, symbols: symbols_state, links: taskLinks(config, view.task_id) };
}

export function backtestsRouter(deps: ApiDependencies, submissions: Counter<'strategy'>): Router {
  const router = Router();
  const { config } = deps;

  /** Validates, checks the data exists, starts the workflow (id = task_id). */
  async function submit(body: unknown): Promise<{ task_id: string; request: BacktestRequest }> {
    const parsed = backtestRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw validationError(parsed.error, 'backtest request');
    const request = parsed.data;
    checkAvailability(request, await deps.listMarketData());
    const task_id = randomUUID();
    const input: BacktestWorkflowInput = { task_id, request, max_parallel_symbols: config.MAX_PARALLEL_SYMBOLS };
    const memo: TaskMemo = {
      strategy: request.strategy,
      symbols: request.symbols,
      timeframe: request.timeframe,
      start_date: request.start_date,
      end_date: request.end_date,
    };
    await deps.temporal.workflow.start('backtestWorkflow', {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: task_id,
      args: [input],
      memo: memo as unknown as Record<string, unknown>,
    });
    submissions.inc({ strategy: request.strategy });
    deps.logger.info({ task_id, strategy: request.strategy, symbols: request.symbols.length }, 'backtest submitted');
    return { task_id, request };
  }

  async function viewOrNotFound(taskId: string) {
    const view = await readTaskView(deps, parseTaskId(taskId));
    if (!view) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
    return presentTask(view, config);
  }

  function submissionResponse(task_id: string): SubmissionResponse {
    return {
      task_id,
      status: 'queued',
      result_path: taskDirectory(task_id),
      links: taskLinks(config, task_id),
    };
  }

  router.post('/api/backtests', async (request, response) => {
    const { task_id } = await submit(request.body);
    response.status(202).location(`/api/backtests/${task_id}`).json(submissionResponse(task_id));
  });

  // The predecessor's routes, kept for existing clients: same fields as the new ones.
  router.post('/api/backtest/run', async (request, response) => {
    const { task_id } = await submit(request.body);
    response.status(202).json(submissionResponse(task_id));
  });

  router.get('/api/backtest/status/:id', async (request, response) => {
    response.json(await viewOrNotFound(request.params.id));
  });

  router.get('/api/backtests/:id', async (request, response) => {
    response.json(await viewOrNotFound(request.params.id));
  });

  router.get('/api/backtests/:id/result', async (request, response) => {
    const taskId = parseTaskId(request.params.id);
    const query = resultQuerySchema.safeParse(request.query);
    if (!query.success) throw validationError(query.error, 'query');
    const manifest = await readManifest(deps.store, taskId);
    if (!manifest) {
      const view = await readTaskView(deps, taskId);
      if (!view) throw new HttpError(404, 'task_not_found', `no task ${taskId}`);
      throw new HttpError(409, 'result_not_ready', `task ${taskId} is ${view.status}; its result is not available yet`);
    }
    const { symbol, trades_offset, trades_limit, trades_sort, trades_order, max_points } = query.data;
    const sort = trades_sort === undefined ? undefined : { column: trades_sort, descending: trades_order === 'desc' };
    const tables = await openResultTables(deps.store, taskId, manifest);
    const body: ResultResponse = {
      task_id: taskId,
      status: manifest.status,
      result_path: taskDirectory(taskId),
      manifest: manifest as unknown as Record<string, unknown>,
      summary: tables ? await readSymbolSummary(tables.symbol_summary) : [],
      trades: tables
        ? await readSymbolSignals(tables.symbol_signals, { symbol, offset: trades_offset, limit: trades_limit, sort })
        : { rows: [], total: 0 },
      equity_curve: tables ? await readPerformanceCurve(tables.performance_curve, { symbol, maxPoints: max_points }) : [],
    };
    response.json(body);
  });

  /** Only the manifest and the files it lists can be downloaded. */
  router.get('/api/backtests/:id/files/:name', async (request, response) => {
    const taskId = parseTaskId(request.params.id);
    const manifest = await readManifest(deps.store, taskId);
    if (!manifest) throw new HttpError(404, 'task_not_found', `task ${taskId} has no result files`);
    const { name } = request.params;
    const listed = name === 'manifest.json' || manifest.result_files.some((file) => file.name === name);
    if (!listed) {
      const names = ['manifest.json', ...manifest.result_files.map((file) => file.name)].join(', ');
      throw new HttpError(404, 'file_not_found', `no file ${JSON.stringify(name)} in task ${taskId}; files: ${names}`);
    }
    response.attachment(name);
    response.sendFile(deps.store.localPath(`${taskDirectory(taskId)}/${name}`));
  });

  return router;
}
