/**
 * The backtest request: one zod schema gives the TypeScript type, the API validation (422 details)
 * and the OpenAPI document. Parameters are validated against the chosen strategy's own schema here,
 * so a worker never discovers bad parameters.
 */
import { z } from 'zod';
import { executionParamsSchema } from '../engine/execution';
import { getStrategy, isStrategyId, strategyRegistry, type StrategyId } from '../engine/strategies';
import type { Strategy } from '../engine/strategy';
import { periodsPerYear, timeframes, type Timeframe } from '../engine/timeframes';

export { timeframes, type Timeframe };

/** Caps that keep one request within what a worker handles comfortably. */
export const MAX_SYMBOLS = 1000;
export const MAX_CANDLES_PER_SYMBOL = 2_000_000;

const SYMBOL_PATTERN = /^[A-Z0-9]+_[A-Z0-9]+$/;

/** `BTC_KRW`, or `BTC/KRW` normalised to `BTC_KRW`; anything else never reaches the disk. */
export const symbolSchema = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase().replace('/', '_'))
  .refine((value) => SYMBOL_PATTERN.test(value), {
    message: 'symbol must look like BASE_QUOTE (e.g. BTC_KRW or BTC/KRW): upper-case letters and digits only',
  });

export const timeframeSchema = z.enum(timeframes, {
  error: (issue) => `timeframe must be one of ${timeframes.join(', ')}; got ${JSON.stringify(issue.input)}`,
});

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'not a calendar date');

/** Why `input` names no strategy that can run: unknown, or a plugin that failed to load (its error says where). */
function unknownStrategy(input: unknown): string {
  const registry = strategyRegistry();
  const [failed] = typeof input === 'string' ? registry.unavailable(input) : [];
  if (failed) return `strategy ${JSON.stringify(input)} is unavailable: its plugin failed to load: ${failed.error}`;
  return `unknown strategy ${JSON.stringify(input)}; available: ${registry.ids().join(', ')}`;
}

export const strategyIdSchema = z
  .string({ error: (issue) => unknownStrategy(issue.input) })
  .refine((id): id is StrategyId => isStrategyId(id), { error: (issue) => unknownStrategy(issue.input) });

/** A strategy's parameters plus the execution parameters, unknown keys refused. */
export function paramsSchemaFor(strategy: Pick<Strategy, 'paramsSchema'>) {
  return z.strictObject({ ...strategy.paramsSchema.shape, ...executionParamsSchema.shape });
}

export function daysInRange(startDate: string, endDate: string): number {
  return (Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000 + 1;
}

/** What a backtest and a sweep both name: a strategy, its fixed parameters, symbols, a range of days, a timeframe. */
export const runShape = {
  strategy: strategyIdSchema,
  params: z.record(z.string(), z.unknown()).default({}),
  symbols: z.array(symbolSchema).min(1, 'give at least one symbol').max(MAX_SYMBOLS, `at most ${MAX_SYMBOLS} symbols per backtest`),
  start_date: isoDateSchema,
  end_date: isoDateSchema,
  timeframe: timeframeSchema,
};

const requestShape = z.strictObject(runShape);

export type RefinementContext = z.RefinementCtx;

/**
 * Checks of a run that span fields: duplicate symbols, date order and range length. Called from a
 * superRefine that runs even when other fields are invalid (`when`), so a user sees every problem at
 * once; the value may then be raw input, hence the defensive reads.
 */
export function checkSymbolsAndRange(request: Record<string, unknown>, ctx: RefinementContext): void {
  if (Array.isArray(request.symbols)) {
    const seen = new Set<string>();
    request.symbols.forEach((raw, index) => {
      const symbol = symbolSchema.safeParse(raw);
      if (!symbol.success) return;
      if (seen.has(symbol.data)) ctx.addIssue({ code: 'custom', path: ['symbols', index], message: `duplicate symbol ${symbol.data}` });
      seen.add(symbol.data);
    });
  }
  const start = isoDateSchema.safeParse(request.start_date);
  const end = isoDateSchema.safeParse(request.end_date);
  const timeframe = timeframeSchema.safeParse(request.timeframe);
  if (start.success && end.success && end.data < start.data) {
    ctx.addIssue({ code: 'custom', path: ['end_date'], message: `end_date ${end.data} is before start_date ${start.data}` });
  } else if (start.success && end.success && timeframe.success) {
    const candles = daysInRange(start.data, end.data) * (periodsPerYear(timeframe.data) / 365);
    if (candles > MAX_CANDLES_PER_SYMBOL) {
      ctx.addIssue({
        code: 'custom',
        path: ['end_date'],
        message: `range too long for ${timeframe.data}: ${candles} candles per symbol, at most ${MAX_CANDLES_PER_SYMBOL}; shorten the range or use a larger timeframe`,
      });
    }
  }
}

/** Cross-field checks of a backtest: those of every run, and the strategy's own parameters. */
function checkAcrossFields(value: unknown, ctx: RefinementContext): void {
  const request = value as Record<string, unknown>;
  checkSymbolsAndRange(request, ctx);
  const strategy = strategyIdSchema.safeParse(request.strategy);
  if (strategy.success) {
    const params = paramsSchemaFor(getStrategy(strategy.data)).safeParse(request.params ?? {});
    if (!params.success) {
      for (const issue of params.error.issues) ctx.addIssue({ ...issue, path: ['params', ...issue.path] } as never);
    }
  }
}

/** Validates a submission and returns it normalised: symbols upper-cased, every parameter default applied. */
export const backtestRequestSchema = requestShape.superRefine(checkAcrossFields, { when: () => true }).transform((request) => {
  const params = paramsSchemaFor(getStrategy(request.strategy)).safeParse(request.params);
  // Bad parameters were already reported by checkAcrossFields.
  return params.success ? { ...request, params: params.data } : z.NEVER;
});

/** What a client sends (before defaults). */
export type BacktestRequestInput = z.input<typeof backtestRequestSchema>;
/** A validated, normalised request: what workflows and activities receive. */
export type BacktestRequest = z.output<typeof backtestRequestSchema>;
