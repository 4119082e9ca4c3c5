/** The backtest routes of the HTTP contract: submitting, following, reading, managing and comparing tasks. */
import { z } from 'zod';
import { errorResponses } from './apiErrors';
import { backtestRequestSchema, isoDateSchema, symbolSchema } from './backtestRequest';
import { defineRoutes } from './http';
import { manifestSchema } from './manifest';
import { curveRowSchema, summaryRowSchema, tradeRowSchema } from './resultRows';
import { taskStatuses } from './task';

/** A task id: a UUID, read in any case and normalised to lower case (DESIGN.md section 11). */
export const taskIdSchema = z
  .uuid({ error: (issue) => `no task ${JSON.stringify(issue.input)}: task ids are UUIDs` })
  .transform((id) => id.toLowerCase())
  .describe('task_id = Temporal workflow id (a UUID; any case)');

export const taskIdParamsSchema = z.object({ id: taskIdSchema });

const linksSchema = z.object({ self: z.string(), result: z.string(), temporal_ui: z.string() });

export const submissionResponseSchema = z.object({
  task_id: z.uuid(),
  status: z.literal('queued'),
  result_path: z.string().describe('task directory relative to DATA_ROOT, filled when the task completes'),
  links: linksSchema,
});

export const symbolStateSchema = z.object({
  symbol: z.string(),
  state: z.enum(['pending', 'running', 'completed', 'failed']),
  progress: z.number().min(0).max(1),
  error: z.string().optional(),
});

export const taskResponseSchema = z.object({
  task_id: z.uuid(),
  strategy: z.string(),
  timeframe: z.string(),
  start_date: z.string(),
  end_date: z.string(),
  status: z.enum(taskStatuses),
  progress: z.number().min(0).max(1),
  waiting_for_worker: z.boolean().describe('true while the task has work scheduled that no worker has picked up'),
  symbols: z.array(symbolStateSchema),
  created_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result_path: z.string().nullable(),
  error: z.string().nullable(),
  pinned: z.boolean(),
  links: linksSchema,
});

export const tradeSortColumns = [
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
  'exit_reason',
  'exit_timestamp',
] as const;

export const resultQuerySchema = z.strictObject({
  symbol: symbolSchema.optional().describe('only this symbol'),
  trades_offset: z.coerce.number().int().min(0).default(0),
  trades_limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  max_points: z.coerce.number().int().min(2).max(1_000_000).optional().describe('downsample each equity curve to at most this many points'),
  trades_sort: z
    .enum(tradeSortColumns)
    .optional()
    .describe('sort all matching trades by this column before paging (nulls last); file order when omitted'),
  trades_order: z.enum(['asc', 'desc']).default('asc').describe('direction of trades_sort'),
});

export const resultResponseSchema = z.object({
  task_id: z.uuid(),
  status: z.enum(['completed', 'failed']),
  result_path: z.string(),
  manifest: manifestSchema.describe('manifest.json as stored'),
  summary: z.array(summaryRowSchema),
  trades: z.object({ rows: z.array(tradeRowSchema), total: z.number().int() }),
  equity_curve: z.array(curveRowSchema),
});

export const candlesQuerySchema = z.strictObject({
  symbol: symbolSchema.describe('a symbol of the task'),
  max_points: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(2000)
    .describe(
      'at most this many candles: beyond it, runs of consecutive bars are merged (open of the first, highest high, lowest low, ' +
        'close of the last, summed volume)',
    ),
  from: z.iso.datetime({ offset: true }).optional().describe('only bars at or after this time (ISO 8601), within the task range'),
  to: z.iso.datetime({ offset: true }).optional().describe('only bars at or before this time (ISO 8601), within the task range'),
});

export const candleRowSchema = z.object({
  timestamp: z.string().describe('open time of the first bar of the candle, ISO 8601 UTC'),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

export const candlesResponseSchema = z.object({
  task_id: z.uuid(),
  symbol: z.string(),
  timeframe: z.string(),
  bars: z.number().int().describe('bars of the market data in the range asked for'),
  bars_per_candle: z.number().int().describe('1 when every bar is its own candle; n when runs of n bars were merged'),
  data_changed: z
    .boolean()
    .describe('true when the market data files differ from those the task read (manifest metadata.data_files): not what the task saw'),
  candles: z.array(candleRowSchema),
});

export const fileParamsSchema = taskIdParamsSchema.extend({
  name: z.string().describe('manifest.json or a name listed in manifest.result_files'),
});

export const historyStatuses = ['running', 'completed', 'failed', 'cancelled'] as const;

export const historyQuerySchema = z.strictObject({
  // Any id, not only the strategies loaded now: the history keeps tasks of plugins since removed.
  strategy: z.string().trim().min(1).max(100).optional(),
  status: z.enum(historyStatuses).optional(),
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
  status: z.enum(historyStatuses),
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

export const compareQuerySchema = z.strictObject({
  ids: z
    .string()
    .transform((text) => text.split(',').map((id) => id.trim()))
    .pipe(
      z
        .array(taskIdSchema)
        .min(2, 'compare at least 2 tasks')
        .max(4, 'compare at most 4 tasks')
        .refine((ids) => new Set(ids).size === ids.length, 'each task once'),
    )
    .describe('2 to 4 task ids, comma-separated'),
  max_points: z.coerce.number().int().min(2).max(100_000).default(500),
});

export const compareResponseSchema = z.object({
  tasks: z.array(
    z.object({
      task_id: z.uuid(),
      strategy: z.string(),
      params: z.record(z.string(), z.unknown()),
      symbols: z.array(z.string()),
      start_date: z.string(),
      end_date: z.string(),
      timeframe: z.string(),
      summary: z.array(summaryRowSchema),
      equity_curve: z.array(curveRowSchema),
    }),
  ),
});

export const backtestRoutes = defineRoutes({
  submitBacktest: {
    method: 'post',
    path: '/api/backtests',
    summary: 'Submit a backtest',
    body: backtestRequestSchema,
    responses: { 202: submissionResponseSchema, ...errorResponses(422, 429, 503) },
  },
  listBacktests: {
    method: 'get',
    path: '/api/backtests',
    summary: 'History of backtests, newest first',
    query: historyQuerySchema,
    responses: { 200: historyResponseSchema, ...errorResponses(422, 503) },
  },
  // Before /api/backtests/:id, which would take "compare" for an id.
  compareBacktests: {
    method: 'get',
    path: '/api/backtests/compare',
    summary: '2 to 4 finished tasks side by side: requests, summary metrics per symbol, equity curves',
    query: compareQuerySchema,
    responses: { 200: compareResponseSchema, ...errorResponses(404, 409, 422, 503) },
  },
  getBacktest: {
    method: 'get',
    path: '/api/backtests/:id',
    summary: 'Status, progress and per-symbol states',
    params: taskIdParamsSchema,
    resource: 'task',
    responses: { 200: taskResponseSchema, ...errorResponses(404, 503) },
  },
  getBacktestResult: {
    method: 'get',
    path: '/api/backtests/:id/result',
    summary: 'Stored result: summary, a page of trades, the equity curve',
    params: taskIdParamsSchema,
    resource: 'task',
    query: resultQuerySchema,
    responses: { 200: resultResponseSchema, ...errorResponses(404, 409, 422, 503) },
  },
  getBacktestCandles: {
    method: 'get',
    path: '/api/backtests/:id/candles',
    summary: "A symbol's candles over the task's range, from the market data the task read, merged down to max_points",
    params: taskIdParamsSchema,
    resource: 'task',
    query: candlesQuerySchema,
    responses: { 200: candlesResponseSchema, ...errorResponses(404, 409, 422, 503) },
  },
  downloadBacktestFile: {
    method: 'get',
    path: '/api/backtests/:id/files/:name',
    summary: 'Download a file listed in the manifest',
    params: fileParamsSchema,
    resource: 'task',
    responses: { 200: null, ...errorResponses(404, 503) },
  },
  cancelBacktest: {
    method: 'post',
    path: '/api/backtests/:id/cancel',
    summary: 'Cancel a running task',
    params: taskIdParamsSchema,
    resource: 'task',
    responses: { 202: cancelResponseSchema, ...errorResponses(404, 409, 503) },
  },
  updateBacktest: {
    method: 'patch',
    path: '/api/backtests/:id',
    summary: 'Pin or unpin a result (pinned results are never cleaned up)',
    params: taskIdParamsSchema,
    resource: 'task',
    body: pinBodySchema,
    responses: { 200: historyItemSchema, ...errorResponses(404, 422, 503) },
  },
  deleteBacktest: {
    method: 'delete',
    path: '/api/backtests/:id',
    summary: "Delete a finished task's files and row",
    params: taskIdParamsSchema,
    resource: 'task',
    responses: { 204: null, ...errorResponses(404, 409, 503) },
  },
  submitBacktestLegacy: {
    method: 'post',
    path: '/api/backtest/run',
    summary: "The predecessor's submit route (same as POST /api/backtests)",
    body: backtestRequestSchema,
    responses: { 202: submissionResponseSchema, ...errorResponses(422, 429, 503) },
  },
  getBacktestLegacy: {
    method: 'get',
    path: '/api/backtest/status/:id',
    summary: "The predecessor's status route (same as GET /api/backtests/:id)",
    params: taskIdParamsSchema,
    resource: 'task',
    responses: { 200: taskResponseSchema, ...errorResponses(404, 503) },
  },
});

export type SubmissionResponse = z.infer<typeof submissionResponseSchema>;
export type TaskResponse = z.infer<typeof taskResponseSchema>;
export type ResultResponse = z.infer<typeof resultResponseSchema>;
export type HistoryItem = z.infer<typeof historyItemSchema>;
export type CandlesResponse = z.infer<typeof candlesResponseSchema>;
export type HistoryResponse = z.infer<typeof historyResponseSchema>;
export type CompareResponse = z.infer<typeof compareResponseSchema>;
