/** The sweep routes of the HTTP contract (DESIGN.md section 12). */
import { z } from 'zod';
import { errorResponses } from './apiErrors';
import { strategyIdSchema, symbolSchema } from './backtestRequest';
import { defineRoutes } from './http';
import { curveRowSchema, summaryRowSchema } from './resultRows';
import { sweepStatuses } from './sweep';
import { objectiveSchema, searchSchema, sweepMetrics, sweepRequestSchema, walkForwardSchema } from './sweepRequest';

/** A sweep id: a UUID, read in any case and normalised to lower case. */
export const sweepIdSchema = z
  .uuid({ error: (issue) => `no sweep ${JSON.stringify(issue.input)}: sweep ids are UUIDs` })
  .transform((id) => id.toLowerCase())
  .describe('sweep_id = Temporal workflow id (a UUID; any case)');

export const sweepIdParamsSchema = z.object({ id: sweepIdSchema });

const sweepLinksSchema = z.object({
  self: z.string(),
  results: z.string(),
  heatmap: z.string(),
  walk_forward: z.string(),
  temporal_ui: z.string(),
});

const bestSchema = z
  .object({ combo_id: z.number().int(), params: z.record(z.string(), z.unknown()), objective: z.number().nullable() })
  .nullable();

export const sweepSubmissionSchema = z.object({
  sweep_id: z.uuid(),
  status: z.literal('queued'),
  combinations: z.number().int(),
  evaluations: z.number().int(),
  links: sweepLinksSchema,
});

export const sweepResponseSchema = z.object({
  sweep_id: z.uuid(),
  status: z.enum(sweepStatuses),
  strategy: z.string(),
  symbols: z.array(z.string()),
  start_date: z.string(),
  end_date: z.string(),
  timeframe: z.string(),
  params: z.record(z.string(), z.unknown()).describe('the fixed parameters, defaults applied'),
  grid: z.record(z.string(), z.array(z.unknown())).describe('every swept parameter with its values, expanded'),
  search: searchSchema,
  objective: objectiveSchema.extend({ direction: z.enum(['max', 'min']) }),
  walk_forward: walkForwardSchema.nullable(),
  combinations: z.number().int(),
  evaluations: z.number().int(),
  evaluated: z.number().int(),
  progress: z.number().min(0).max(1),
  eta_seconds: z.number().nullable(),
  waiting_for_worker: z.boolean(),
  best: bestSchema.describe('the best row so far while running; the best combination across symbols once completed'),
  symbol_progress: z.array(z.object({ symbol: z.string(), evaluated: z.number().int(), total: z.number().int() })),
  materialized_tasks: z.array(z.uuid()),
  created_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result_path: z.string().nullable(),
  error: z.string().nullable(),
  pinned: z.boolean(),
  links: sweepLinksSchema,
});

export const sweepListQuerySchema = z.strictObject({
  strategy: strategyIdSchema.optional(),
  status: z.enum(sweepStatuses).optional(),
  symbol: symbolSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const sweepItemSchema = z.object({
  sweep_id: z.uuid(),
  status: z.enum(sweepStatuses),
  strategy: z.string(),
  symbols: z.array(z.string()),
  start_date: z.string(),
  end_date: z.string(),
  timeframe: z.string(),
  combinations: z.number().int(),
  evaluations: z.number().int(),
  best: bestSchema,
  pinned: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  error: z.string().nullable(),
});

export const sweepListSchema = z.object({
  items: z.array(sweepItemSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** A cell of a result row: numbers, booleans and text; null where a metric is undefined. */
const cellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const sweepResultsQuerySchema = z.strictObject({
  symbol: z
    .union([z.literal('all'), symbolSchema])
    .default('all')
    .describe('a symbol: its rows of sweep_results; all: combo_summary, one row per combination'),
  fold: z.coerce.number().int().min(0).optional().describe("walk-forward: one fold's in-sample rows"),
  sort: z.string().optional().describe('any metric or swept parameter; default: the objective, best first'),
  order: z.enum(['asc', 'desc']).optional().describe('default: best first for the objective, else asc'),
  min_trades: z.coerce.number().int().min(0).optional().describe('only rows with at least this many closed trades'),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const sweepResultsSchema = z.object({
  table: z.enum(['sweep_results', 'combo_summary']),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), cellSchema)),
  total: z.number().int(),
});

export const heatmapQuerySchema = z.strictObject({
  x: z.string().describe('a swept parameter'),
  y: z.string().describe('another swept parameter'),
  metric: z.enum(sweepMetrics).optional().describe('default: the objective'),
  symbol: z
    .union([z.literal('all'), symbolSchema])
    .default('all')
    .describe('all: the mean over symbols of each combination'),
  fold: z.coerce.number().int().min(0).optional(),
  reduce: z
    .enum(['best', 'max', 'min', 'mean'])
    .default('best')
    .describe("over the other swept parameters; best: max or min as the metric improves (the objective's direction for its metric)"),
});

export const heatmapSchema = z.object({
  x: z.string(),
  y: z.string(),
  metric: z.string(),
  reduce: z.enum(['max', 'min', 'mean']).describe('how the cells were reduced (best resolved to max or min)'),
  x_values: z.array(cellSchema),
  y_values: z.array(cellSchema),
  z: z.array(z.array(z.number().nullable())).describe('z[y][x]; null where no combination has a value'),
});

export const walkForwardQuerySchema = z.strictObject({
  max_points: z.coerce.number().int().min(2).max(1_000_000).optional().describe("downsample each symbol's stitched curve"),
});

export const walkForwardResponseSchema = z.object({
  folds: z.array(z.record(z.string(), cellSchema)).describe('one row per symbol and fold, the columns of walk_forward.parquet'),
  efficiency: z.number().nullable().describe('mean over folds of annualised out-of-sample / in-sample return'),
  stitched: z.array(summaryRowSchema).describe("metrics of each symbol's stitched out-of-sample curve"),
  curve: z.array(curveRowSchema),
});

export const sweepRoutes = defineRoutes({
  createSweep: {
    method: 'post',
    path: '/api/sweeps',
    summary: 'Start a parameter sweep',
    body: sweepRequestSchema,
    responses: { 202: sweepSubmissionSchema, ...errorResponses(422, 429, 503) },
  },
  listSweeps: {
    method: 'get',
    path: '/api/sweeps',
    summary: 'Sweeps, newest first',
    query: sweepListQuerySchema,
    responses: { 200: sweepListSchema, ...errorResponses(422, 503) },
  },
  getSweep: {
    method: 'get',
    path: '/api/sweeps/:id',
    summary: 'Status, progress, ETA and the best combination so far',
    params: sweepIdParamsSchema,
    resource: 'sweep',
    responses: { 200: sweepResponseSchema, ...errorResponses(404, 503) },
  },
  getSweepResults: {
    method: 'get',
    path: '/api/sweeps/:id/results',
    summary: "Result rows: one symbol's (sweep_results) or one per combination (combo_summary), sorted and paged",
    params: sweepIdParamsSchema,
    resource: 'sweep',
    query: sweepResultsQuerySchema,
    responses: { 200: sweepResultsSchema, ...errorResponses(404, 409, 422, 503) },
  },
  getSweepHeatmap: {
    method: 'get',
    path: '/api/sweeps/:id/heatmap',
    summary: 'A metric over two swept parameters',
    params: sweepIdParamsSchema,
    resource: 'sweep',
    query: heatmapQuerySchema,
    responses: { 200: heatmapSchema, ...errorResponses(404, 409, 422, 503) },
  },
  getSweepWalkForward: {
    method: 'get',
    path: '/api/sweeps/:id/walk-forward',
    summary: 'Folds, chosen parameters, in- and out-of-sample figures, efficiency, the stitched curve',
    params: sweepIdParamsSchema,
    resource: 'sweep',
    query: walkForwardQuerySchema,
    responses: { 200: walkForwardResponseSchema, ...errorResponses(404, 409, 422, 503) },
  },
  downloadSweepFile: {
    method: 'get',
    path: '/api/sweeps/:id/files/:name',
    summary: "Download a file listed in the sweep's manifest",
    params: sweepIdParamsSchema.extend({ name: z.string() }),
    resource: 'sweep',
    responses: { 200: null, ...errorResponses(404, 503) },
  },
  cancelSweep: {
    method: 'post',
    path: '/api/sweeps/:id/cancel',
    summary: 'Cancel a running sweep',
    params: sweepIdParamsSchema,
    resource: 'sweep',
    responses: { 202: z.object({ sweep_id: z.uuid(), status: z.literal('cancelling') }), ...errorResponses(404, 409, 503) },
  },
  updateSweep: {
    method: 'patch',
    path: '/api/sweeps/:id',
    summary: 'Pin or unpin a sweep (pinned sweeps are never cleaned up)',
    params: sweepIdParamsSchema,
    resource: 'sweep',
    body: z.strictObject({ pinned: z.boolean({ error: 'pinned must be true or false' }) }),
    responses: { 200: sweepItemSchema, ...errorResponses(404, 422, 503) },
  },
  deleteSweep: {
    method: 'delete',
    path: '/api/sweeps/:id',
    summary: "Delete a finished sweep's files and row",
    params: sweepIdParamsSchema,
    resource: 'sweep',
    responses: { 204: null, ...errorResponses(404, 409, 503) },
  },
});

export type SweepResponse = z.infer<typeof sweepResponseSchema>;
export type SweepItem = z.infer<typeof sweepItemSchema>;
export type SweepResults = z.infer<typeof sweepResultsSchema>;
export type Heatmap = z.infer<typeof heatmapSchema>;
export type WalkForwardResponse = z.infer<typeof walkForwardResponseSchema>;
