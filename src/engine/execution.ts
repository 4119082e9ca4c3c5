import { z } from 'zod';
import type { ExecutionParams } from './types';

/** Costs and sizing shared by every strategy; given in the same flat `params` object as the strategy's own. */
export const executionParamsSchema = z.object({
  initial_capital: z.number().gt(0).max(1e15).default(100_000).describe('Starting cash of each symbol, in quote currency.'),
  position_size: z.number().gt(0).max(1).default(1).describe('Fraction of current equity put into each trade, (0, 1].'),
  fee_rate: z.number().min(0).lt(0.1).default(0.0005).describe('Fee per side, as a fraction of the traded notional.'),
  slippage_bps: z
    .number()
    .min(0)
    .lt(1000)
    .default(0)
    .describe('Adverse fill price move in basis points: buys fill at close * (1 + s), sells at close * (1 - s), s = bps / 10000.'),
}) satisfies z.ZodType<ExecutionParams, Partial<ExecutionParams>>;
