import { executionParamsSchema } from './execution';
import { summarize } from './metrics';
import { simulate } from './simulator';
import { getStrategy, type StrategyId } from './strategies';
import type { Strategy } from './strategy';
import type { BacktestOutput, Candles, ExecutionParams } from './types';

/** Parameters the simulator reads; a missing one would turn every figure into NaN, so it is refused here. */
const SIMULATION_PARAM_NAMES = ['hold_period_bars', 'initial_capital', 'position_size', 'fee_rate', 'slippage_bps'] as const;

/** Direction and exit rules: absent means long and off, so callers from before they existed keep working; a present one must be valid. */
const EXIT_RULE_PARAM_NAMES = ['direction', 'stop_loss_pct', 'take_profit_pct', 'trailing_stop_pct', 'max_hold_bars'] as const;

export interface BacktestOptions {
  /** Bars per year of the candles' timeframe (see `periodsPerYear` in ./timeframes). */
  periodsPerYear: number;
}

/**
 * One symbol, end to end: signals, trades, equity curve and summary, with the strategy of this process's registry
 * named `strategyId` (a built-in or a loaded plugin). `params` holds the strategy's parameters and the execution
 * parameters, already validated with defaults applied (the request contract does that); only the arguments that are
 * not validated elsewhere are checked here.
 */
export function runBacktest(
  candles: Candles,
  strategyId: StrategyId,
  params: Record<string, unknown>,
  options: BacktestOptions,
): BacktestOutput {
  return runStrategyBacktest(candles, getStrategy(strategyId), params, options);
}

/** `runBacktest` for a strategy object rather than an id (another registry's, a test's strategy); the same checks apply. */
export function runStrategyBacktest(
  candles: Candles,
  strategy: Strategy,
  params: Record<string, unknown>,
  options: BacktestOptions,
): BacktestOutput {
  if (!(options.periodsPerYear > 0)) {
    throw new RangeError(`periodsPerYear: got ${options.periodsPerYear}, expected a positive number`);
  }
  for (const name of SIMULATION_PARAM_NAMES) {
    if (typeof params[name] !== 'number' || !Number.isFinite(params[name])) {
      throw new RangeError(`params.${name}: got ${String(params[name])}, expected a number (validate params with their schemas first)`);
    }
  }
  for (const name of EXIT_RULE_PARAM_NAMES) {
    if (params[name] === undefined) continue;
    const checked = executionParamsSchema.shape[name].safeParse(params[name]);
    if (!checked.success) {
      const problem = checked.error.issues[0]?.message;
      throw new RangeError(`params.${name}: got ${JSON.stringify(params[name])}, expected a value its schema accepts (${problem})`);
    }
  }
  const signals = new Uint8Array(candles.length);
  strategy.signalsInto(candles, params, signals);
  let exitSignals: Uint8Array | null = null;
  if (strategy.exitsInto !== undefined) {
    exitSignals = new Uint8Array(candles.length);
    strategy.exitsInto(candles, params, exitSignals);
  }
  const execution = params as unknown as ExecutionParams;
  const { trades, curve } = simulate(candles, signals, params.hold_period_bars as number, execution, exitSignals);
  const summary = summarize(candles, trades, curve, execution.initial_capital, options.periodsPerYear);
  return { signals, exitSignals, trades, curve, summary };
}
