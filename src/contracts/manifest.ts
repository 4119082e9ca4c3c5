/**
 * A task's manifest.json (seeds/manifest-schema.ko.md, DESIGN.md section 7): what the result API serves and
 * what storage writes. UTF-8, ISO 8601 UTC timestamps, paths relative to the task directory.
 */
import { z } from 'zod';

export const resultFileSchema = z.object({
  name: z.string(),
  path: z.string(),
  size_bytes: z.number().int(),
  checksum: z.string().describe('MD5 of the file, hex'),
});

export const manifestSymbolSchema = z.object({
  symbol: z.string(),
  /** pending or running only in the manifest of a task that stopped early (cancelled). */
  state: z.enum(['pending', 'running', 'completed', 'failed']),
  error: z.string().optional(),
  candles: z.number().int().optional(),
  first_candle: z.string().nullable().optional(),
  last_candle: z.string().nullable().optional(),
  execution_ms: z.number().optional(),
  worker_id: z.string().optional().describe('the worker process that computed the symbol'),
});

export const manifestSchema = z.object({
  task_id: z.string(),
  status: z.enum(['completed', 'failed']),
  strategy: z.string(),
  params: z.record(z.string(), z.unknown()).describe('every parameter applied, defaults included'),
  symbols: z.array(z.string()),
  start_date: z.string(),
  end_date: z.string(),
  timeframe: z.string(),
  result_files: z.array(resultFileSchema),
  metadata: z.object({
    started_at: z.string(),
    finished_at: z.string(),
    duration_ms: z.number(),
    execution_host: z.string(),
    environment: z.string(),
    worker_id: z.string().optional(),
    code_version: z.string().optional(),
    metrics_version: z.string().optional(),
    strategy_version: z
      .string()
      .optional()
      .describe('the version of the strategy the task ran: sha256 of a plugin module (first 12 hex), or the built-ins code version'),
    periods_per_year: z.number().optional().describe('bars per year used to annualise Sharpe, Sortino and CAGR (24/7 markets)'),
    schema_version: z.string(),
    compression: z.enum(['snappy', 'zstd', 'gzip', 'uncompressed']),
    symbols: z.array(manifestSymbolSchema),
    data_files: z.array(z.object({ symbol: z.string(), path: z.string(), size_bytes: z.number().int(), md5: z.string() })).optional(),
  }),
  summary: z.object({
    total_signals: z.number().int(),
    symbols_processed: z.number().int(),
    symbols_failed: z.number().int(),
    average_execution_time_per_symbol_ms: z.number(),
  }),
  error: z.object({ occurred: z.boolean(), message: z.string().nullable() }),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestSymbol = z.infer<typeof manifestSymbolSchema>;
export type ResultFile = z.infer<typeof resultFileSchema>;
