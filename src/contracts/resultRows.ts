/**
 * Rows of the three result tables as the API serves them (JSON: timestamps as ISO 8601 UTC). The storage
 * readers return these types and the HTTP contract publishes these schemas: one definition for both.
 */
import { z } from 'zod';
import { exitReasons } from '../engine/types';

const metric = z.number().nullable();

/** One row of symbol_summary.parquet: the seed's twelve columns, then the extra metrics (null where undefined). */
export const summaryRowSchema = z.object({
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

/** One row of symbol_signals.parquet: one trade. */
export const tradeRowSchema = z.object({
  symbol: z.string(),
  signal_index: z.number().int().describe('1-based trade number within the symbol'),
  timestamp: z.string().describe('entry bar time, ISO 8601 UTC'),
  type: z.enum(['buy', 'sell']).describe('buy: a long entry; sell: a short entry'),
  entry_price: z.number(),
  exit_price: z.number().nullable(),
  quantity: z.number(),
  return_pct: z.number(),
  hold_bars: z.number().int(),
  fee_amount: z.number(),
  slippage_amount: z.number(),
  status: z.enum(['closed', 'open']),
  exit_reason: z.enum(exitReasons).describe('why the trade ended; end_of_data: still open at the last candle'),
  exit_timestamp: z
    .string()
    .nullable()
    .describe('exit bar time, ISO 8601 UTC; null while open (and for results written before this column existed)'),
});

/** One row of performance_curve.parquet: one bar of one symbol's equity curve. */
export const curveRowSchema = z.object({
  symbol: z.string(),
  idx: z.number().int(),
  timestamp: z.string(),
  equity: z.number(),
  drawdown: z.number(),
  cumulative_pnl: z.number(),
  cumulative_pnl_pct: z.number(),
});

export type SummaryRow = z.infer<typeof summaryRowSchema>;
export type TradeRow = z.infer<typeof tradeRowSchema>;
export type CurveRow = z.infer<typeof curveRowSchema>;
