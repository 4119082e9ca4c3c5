/**
 * The HTTP contract: every route with its zod schemas for path parameters, query, body and responses.
 * The Express routes validate with these schemas, their handlers return these types, and
 * GET /api/openapi.json is generated from this table. No Express import here.
 */
import { z } from 'zod';
import { backtestRequestSchema, isoDateSchema, strategyIdSchema, symbolSchema, timeframeSchema } from './backtestRequest';

export const errorResponseSchema = z.object({
  error: z.string().describe('machine-readable code, e.g. validation_failed, task_not_found'),
  message: z.string().describe('what went wrong, for a person'),
  details: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe('one entry per bad field (422)'),
});

export const taskIdParamsSchema = z.object({
  id: z.uuid({ error: 'task ids are UUIDs' }).describe('task_id = Temporal workflow id'),
});

const taskStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
const linksSchema = z.object({ self: z.string(), result: z.string(), temporal_ui: z.string() });

export const submissionResponseSchema = z.object({
  task_id: z.uuid(),
  status: z.literal('queued'),
  result_path: z.string().describe('task directory relative to DATA_ROOT, filled when the task completes'),
  links: linksSchema,
});

export const taskResponseSchema = z.object({
  task_id: z.uuid(),
  strategy: z.string(),
  timeframe: z.string(),
  start_date: z.string(),
  end_date: z.string(),
  status: taskStatusSchema,
  progress: z.number().min(0).max(1),
  symbols: z.array(
    z.object({
      symbol: z.string(),
      state: z.enum(['pending', 'running', 'completed', 'failed']),
      progress: z.number().min(0).max(1),
      error: z.string().optional(),
    }),
  ),
  created_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result_path: z.string().nullable(),
  error: z.string().nullable(),
  pinned: z.boolean(),
  links: linksSchema,
});

export const resultQuerySchema = z.strictObject({
  symbol: symbolSchema.optional().describe('only this symbol'),
  trades_offset: z.coerce.number().int().min(0).default(0),
  trades_limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  max_points: z.coerce.number().int().min(2).max(1_000_000).optional().describe('downsample each equity curve to at most this many points'),
  trades_sort: z
    .enum([
      'signal_index',
      'timestamp',
      'entry_price',
      'exit_price',
      'quantity',
      'return_pct',
      'hold_bars',
      'fee_amount',
      'slippage_amount',
      'symbol',
      'status',
    ])
    .optional()
    .describe('sort all matching trades by this column before paging (nulls last); file order when omitted'),
  trades_order: z.enum(['asc', 'desc']).default('asc').describe('direction of trades_sort'),
});

const metric = z.number().nullable();
const summaryRowSchema = z.object({
  symbol: z.string(),
  win_rate: z.number(),
  avg_return: z.number(),
  max_return: z.number(),
  min_return: z.number(),
  max_drawdown: z.number(),
  avg_hold_bars: z.number(),
  total_signals: z.number().int(),
  winning_signals: z.number().int(),
  losing_signals: z.number().int(),
  total_pnl: z.number(),
  total_pnl_pct: z.number(),
  sharpe: metric,
  sortino: metric,
  profit_factor: metric,
  expectancy: metric,
  exposure_pct: metric,
  cagr: metric,
  buy_and_hold_return_pct: metric,
});
const tradeRowSchema = z.object({
  symbol: z.string(),
  signal_index: z.number().int(),
  timestamp: z.string(),
  type: z.literal('buy'),
  entry_price: z.number(),
  exit_price: z.number().nullable(),
  quantity: z.number(),
  return_pct: z.number(),
  hold_bars: z.number().int(),
  fee_amount: z.number(),
  slippage_amount: z.number(),
  status: z.enum(['closed', 'open']),
});
const curveRowSchema = z.object({
  symbol: z.string(),
  idx: z.number().int(),
  timestamp: z.string(),
  equity: z.number(),
  drawdown: z.number(),
  cumulative_pnl: z.number(),
  cumulative_pnl_pct: z.number(),
});

export const resultResponseSchema = z.object({
  task_id: z.uuid(),
  status: z.enum(['completed', 'failed']),
  result_path: z.string(),
  manifest: z.record(z.string(), z.unknown()).describe('manifest.json as stored'),
  summary: z.array(summaryRowSchema),
  trades: z.object({ rows: z.array(tradeRowSchema), total: z.number().int() }),
  equity_curve: z.array(curveRowSchema),
});

export const fileParamsSchema = taskIdParamsSchema.extend({
  name: z.string().describe('manifest.json or a name listed in manifest.result_files'),
});

export const historyQuerySchema = z.strictObject({
  strategy: strategyIdSchema.optional(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']).optional(),
  symbol: symbolSchema.optional(),
  created_after: z.union([isoDateSchema, z.iso.datetime({ offset: true })]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const historyItemSchema = z.object({
  task_id: z.uuid(),
  strategy: z.string(),
  symbols: z.array(z.string()),
  start_date: z.string(),
  end_date: z.string(),
  timeframe: z.string().nullable(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled']),
  created_at: z.string(),
  updated_at: z.string(),
  pinned: z.boolean(),
  record_count: z.number().int().nullable(),
  file_size: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const historyResponseSchema = z.object({
  items: z.array(historyItemSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const pinBodySchema = z.strictObject({ pinned: z.boolean({ error: 'pinned must be true or false' }) });

export const cancelResponseSchema = z.object({ task_id: z.uuid(), status: z.literal('cancelling') });

export const strategiesResponseSchema = z.object({
  strategies: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      parameters: z.record(z.string(), z.unknown()).describe('JSON Schema of the params object, with defaults and ranges'),
    }),
  ),
});

export const symbolsResponseSchema = z.object({
  symbols: z.array(
    z.object({
      symbol: z.string(),
      timeframes: z.array(
        z.object({ timeframe: timeframeSchema, start_date: z.string(), end_date: z.string(), candles: z.number().int() }),
      ),
    }),
  ),
});

const checkSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
export const readinessResponseSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ temporal: checkSchema, postgres: checkSchema }),
});

export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express path syntax (`:id`). */
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status code -> response body schema (null: no body or a file). */
  responses: Record<number, z.ZodType | null>;
}

const notFound = { 404: errorResponseSchema };
const invalid = { 422: errorResponseSchema };

export const apiRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/api/backtests',
    summary: 'Submit a backtest',
    body: backtestRequestSchema,
    responses: { 202: submissionResponseSchema, ...invalid, 429: errorResponseSchema },
  },
  {
    method: 'get',
    path: '/api/backtests',
    summary: 'History of backtests, newest first',
    query: historyQuerySchema,
    responses: { 200: historyResponseSchema, ...invalid },
  },
  {
    method: 'get',
    path: '/api/backtests/:id',
    summary: 'Status, progress and per-symbol states',
    params: taskIdParamsSchema,
    responses: { 200: taskResponseSchema, ...notFound },
  },
  {
    method: 'get',
    path: '/api/backtests/:id/result',
    summary: 'Stored result: summary, a page of trades, the equity curve',
    params: taskIdParamsSchema,
    query: resultQuerySchema,
    responses: { 200: resultResponseSchema, ...notFound, 409: errorResponseSchema, ...invalid },
  },
  {
    method: 'get',
    path: '/api/backtests/:id/files/:name',
    summary: 'Download a file listed in the manifest',
    params: fileParamsSchema,
    responses: { 200: null, ...notFound },
  },
  {
    method: 'post',
    path: '/api/backtests/:id/cancel',
    summary: 'Cancel a running task',
    params: taskIdParamsSchema,
    responses: { 202: cancelResponseSchema, ...notFound, 409: errorResponseSchema },
  },
  {
    method: 'patch',
    path: '/api/backtests/:id',
    summary: 'Pin or unpin a result (pinned results are never cleaned up)',
    params: taskIdParamsSchema,
    body: pinBodySchema,
    responses: { 200: historyItemSchema, ...notFound, ...invalid },
  },
  {
    method: 'delete',
    path: '/api/backtests/:id',
    summary: "Delete a finished task's files and row",
    params: taskIdParamsSchema,
    responses: { 204: null, ...notFound, 409: errorResponseSchema },
  },
  {
    method: 'get',
    path: '/api/strategies',
    summary: 'Strategies and their parameter JSON schemas',
    responses: { 200: strategiesResponseSchema },
  },
  {
    method: 'get',
    path: '/api/data/symbols',
    summary: 'Available symbols, timeframes and date ranges',
    responses: { 200: symbolsResponseSchema },
  },
  {
    method: 'post',
    path: '/api/backtest/run',
    summary: "The predecessor's submit route (same as POST /api/backtests)",
    body: backtestRequestSchema,
    responses: { 202: submissionResponseSchema, ...invalid },
  },
  {
    method: 'get',
    path: '/api/backtest/status/:id',
    summary: "The predecessor's status route (same as GET /api/backtests/:id)",
    params: taskIdParamsSchema,
    responses: { 200: taskResponseSchema, ...notFound },
  },
  { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: z.object({ status: z.literal('ok') }) } },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Temporal and PostgreSQL reachable',
    responses: { 200: readinessResponseSchema, 503: readinessResponseSchema },
  },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', responses: { 200: null } },
];

export type SubmissionResponse = z.infer<typeof submissionResponseSchema>;
export type TaskResponse = z.infer<typeof taskResponseSchema>;
export type ResultResponse = z.infer<typeof resultResponseSchema>;
export type HistoryItem = z.infer<typeof historyItemSchema>;
export type HistoryResponse = z.infer<typeof historyResponseSchema>;
