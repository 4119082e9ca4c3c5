import { executionParamsSchema } from './execution';
import { sliceCandles } from './candles';
import { summarize } from './metrics';
import { simulate } from './simulator';
import { getStrategy, type StrategyId } from './strategies';
import type { Strategy } from './strategy';
import type { BacktestOutput, Candles, ExecutionParams } from './types';

/** Parameters the simulator reads; a missing one would turn every figure into NaN, so it is refused here. */
const SIMULATION_PARAM_NAMES: readonly string[] = ['hold_period_bars', 'initial_capital', 'position_size', 'fee_rate', 'slippage_bps'];

/** Direction and exit rules: absent means long and off, so callers from before they existed keep working; a present one must be valid. */
const EXIT_RULE_PARAM_NAMES = ['direction', 'stop_loss_pct', 'take_profit_pct', 'trailing_stop_pct', 'max_hold_bars'] as const;

export interface BacktestOptions {
  /** Bars per year of the candles' timeframe (see `periodsPerYear` in ./timeframes). */
  periodsPerYear: number;
}

/**
 * Bars of one series a backtest covers, as indices into its candles: the simulation (trades, curve, summary) runs
 * on [start, end); the strategy's signals are computed on [warmupStart, end), so that its windows are already full
 * at `start`. Nothing at or after `end` is read. `warmupStart === start` is a plain backtest of the range.
 */
export interface Segment {
  warmupStart: number;
  start: number;
  end: number;
}

export interface SegmentOptions extends BacktestOptions {
  /** The equity the segment starts with (default: `params.initial_capital`), so segments can be stitched. */
  initialEquity?: number;
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
  return runSegmentBacktest(candles, strategy, params, { warmupStart: 0, start: 0, end: candles.length }, options);
}

/**
 * A backtest of the bars [start, end) of `candles`, the strategy warmed up on [warmupStart, start) (see `Segment`):
 * what a walk-forward runs out of sample. Entry and exit signals are computed on the candles [warmupStart, end) as a
 * series of their own; the simulation then runs on [start, end) alone, so no trade opens during the warm-up, and the
 * curve, the trades and the summary cover [start, end) only, with bar indices counted from `start`. `signals` and
 * `exitSignals` of the output are those of [start, end). With `warmupStart = start = 0` and `end = candles.length`
 * this is `runStrategyBacktest`.
 */
export function runSegmentBacktest(
  candles: Candles,
  strategy: Strategy,
  params: Record<string, unknown>,
  segment: Segment,
  options: SegmentOptions,
): BacktestOutput {
  checkBacktestArguments(params, options);
  checkSegment(segment, candles.length);
  const { warmupStart, start, end } = segment;
  const signalCandles = sliceCandles(candles, warmupStart, end);
  const entries = new Uint8Array(signalCandles.length);
  strategy.signalsInto(signalCandles, params, entries);
  let exits: Uint8Array | null = null;
  if (strategy.exitsInto !== undefined) {
    exits = new Uint8Array(signalCandles.length);
    strategy.exitsInto(signalCandles, params, exits);
  }
  const simulated = sliceCandles(candles, start, end);
  const signals = start === warmupStart ? entries : entries.subarray(start - warmupStart);
  const exitSignals = exits === null || start === warmupStart ? exits : exits.subarray(start - warmupStart);
  const execution = (options.initialEquity === undefined
    ? params
    : { ...params, initial_capital: options.initialEquity }) as unknown as ExecutionParams;
  const { trades, curve } = simulate(simulated, signals, params.hold_period_bars as number, execution, exitSignals);
  const summary = summarize(simulated, trades, curve, execution.initial_capital, options.periodsPerYear);
  return { signals, exitSignals, trades, curve, summary };
}

/**
 * Throws a RangeError naming `label` unless `value` is acceptable for the simulation or exit-rule parameter `name`
 * (a finite number for the simulation's, the schema's range for an exit rule, which may also be absent); any other
 * name passes. What `runBacktest` checks, one value at a time.
 */
export function checkSimulationParam(name: string, value: unknown, label: string): void {
  if (SIMULATION_PARAM_NAMES.includes(name)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`${label}: got ${String(value)}, expected a number (validate params with their schemas first)`);
    }
    return;
  }
  const exitRule = EXIT_RULE_PARAM_NAMES.find((ruleName) => ruleName === name);
  if (exitRule === undefined || value === undefined) return;
  const checked = executionParamsSchema.shape[exitRule].safeParse(value);
  if (!checked.success) {
    const problem = checked.error.issues[0]?.message;
    throw new RangeError(`${label}: got ${JSON.stringify(value)}, expected a value its schema accepts (${problem})`);
  }
}

/** The checks every backtest entry point makes: periods per year, and the parameters the simulator reads. */
export function checkBacktestArguments(params: Record<string, unknown>, options: SegmentOptions): void {
  if (!(options.periodsPerYear > 0)) {
    throw new RangeError(`periodsPerYear: got ${options.periodsPerYear}, expected a positive number`);
  }
  if (options.initialEquity !== undefined && !(options.initialEquity > 0 && Number.isFinite(options.initialEquity))) {
    throw new RangeError(`initialEquity: got ${options.initialEquity}, expected a positive number`);
  }
  for (const name of [...SIMULATION_PARAM_NAMES, ...EXIT_RULE_PARAM_NAMES]) checkSimulationParam(name, params[name], `params.${name}`);
}

/** A segment must be whole bar indices with 0 <= warmupStart <= start <= end <= barCount. */
export function checkSegment({ warmupStart, start, end }: Segment, barCount: number): void {
  const ordered = 0 <= warmupStart && warmupStart <= start && start <= end && end <= barCount;
  if (!ordered || !Number.isInteger(warmupStart) || !Number.isInteger(start) || !Number.isInteger(end)) {
    throw new RangeError(
      `segment: got warmupStart ${warmupStart}, start ${start}, end ${end}, expected integers with 0 <= warmupStart <= start <= end <= ${barCount}`,
    );
  }
}
