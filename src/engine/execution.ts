import { z } from 'zod';
import { directions, type ExecutionParams } from './types';

/** A percentage that switches a rule off when null (the default). */
const optionalPercent = (upperBound: number, description: string) =>
  z.number().gt(0).lt(upperBound).nullable().default(null).describe(description);

/**
 * Costs, sizing, direction and exit rules shared by every strategy; given in the same flat `params` object as the
 * strategy's own. Every rule is stated with a worked example in docs/metrics.md.
 *
 * Ranges: a stop at 100 % or more below a long entry could never fire (prices are positive), so stops stay
 * below 100 % in both directions (for a short, 100 % would be the price doubling). A take-profit may exceed
 * 100 % (a long that triples); for a short a target of 100 % or more is a price at or below zero, which is
 * never reached: the rule then never fires.
 */
export const executionParamsSchema = z.object({
  initial_capital: z.number().gt(0).max(1e15).default(100_000).describe('Starting cash of each symbol, in quote currency.'),
  position_size: z.number().gt(0).max(1).default(1).describe('Fraction of current equity put into each trade, (0, 1].'),
  fee_rate: z.number().min(0).lt(0.1).default(0.0005).describe('Fee per side, as a fraction of the traded notional.'),
  slippage_bps: z
    .number()
    .min(0)
    .lt(1000)
    .default(0)
    .describe(
      'Adverse fill price move in basis points: buys fill at price * (1 + s), sells at price * (1 - s), s = bps / 10000, ' +
        'where price is the close, a stop or target level, or the open of a bar that gaps through one.',
    ),
  direction: z
    .enum(directions)
    .default('long')
    .describe('long: entries buy and a position gains when the price rises; short: entries sell and a position gains when it falls.'),
  stop_loss_pct: optionalPercent(
    100,
    'Stop-loss in % of the entry fill price: a long exits at entry * (1 - pct/100) or below, a short at entry * (1 + pct/100) or above; ' +
      'checked within every bar after the entry bar; null = off.',
  ),
  take_profit_pct: optionalPercent(
    10_000,
    'Take-profit in % of the entry fill price: a long exits at entry * (1 + pct/100) or above, a short at entry * (1 - pct/100) or below; ' +
      'checked within every bar after the entry bar; null = off.',
  ),
  trailing_stop_pct: optionalPercent(
    100,
    'Trailing stop in % of the best price since the entry (the entry fill and the highs, for a short the lows, of the bars ' +
      'before the current one): a long exits at best * (1 - pct/100) or below, a short at best * (1 + pct/100) or above; null = off.',
  ),
  max_hold_bars: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .nullable()
    .default(null)
    .describe('Exit at the close of bar entry + max_hold_bars at the latest, whatever hold_period_bars says; null = off.'),
}) satisfies z.ZodType<ExecutionParams, Partial<ExecutionParams>>;
