import { summarize } from './metrics';
import { simulate } from './simulator';
import { getStrategy, isStrategyId, strategyIds, type StrategyId } from './strategies';
import type { BacktestOutput, Candles, ExecutionParams } from './types';

/** Parameters the simulator reads; a missing one would turn every figure into NaN, so it is refused here. */
const SIMULATION_PARAM_NAMES = ['hold_period_bars', 'initial_capital', 'position_size', 'fee_rate', 'slippage_bps'] as const;

export interface BacktestOptions {
  /** Bars per year of the candles' timeframe (see `periodsPerYear` in ./timeframes). */
  periodsPerYear: number;
}

/**
 * One symbol, end to end: signals, trades, equity curve and summary. `params` holds the strategy's
 * parameters and the execution parameters, already validated with defaults applied (the request
 * contract does that); only the arguments that are not validated elsewhere are checked here.
 */
export function runBacktest(
  candles: Candles,
  strategyId: StrategyId,
  params: Record<string, unknown>,
  options: BacktestOptions,
): BacktestOutput {
  if (!isStrategyId(strategyId)) {
    throw new RangeError(`unknown strategy: got ${JSON.stringify(strategyId)}, expected one of ${strategyIds.join(', ')}`);
  }
  if (!(options.periodsPerYear > 0)) {
    throw new RangeError(`periodsPerYear: got ${options.periodsPerYear}, expected a positive number`);
  }
  for (const name of SIMULATION_PARAM_NAMES) {
    if (typeof params[name] !== 'number' || !Number.isFinite(params[name])) {
      throw new RangeError(`params.${name}: got ${String(params[name])}, expected a number (validate params with their schemas first)`);
    }
  }
  const strategy = getStrategy(strategyId);
  const signals = new Uint8Array(candles.length);
  strategy.signalsInto(candles, params, signals);
  const execution = params as unknown as ExecutionParams;
  const { trades, curve } = simulate(candles, signals, params.hold_period_bars as number, execution);
  const summary = summarize(candles, trades, curve, execution.initial_capital, options.periodsPerYear);
  return { signals, trades, curve, summary };
}
