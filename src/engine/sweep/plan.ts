import { z } from 'zod';
import { checkBacktestArguments, checkSimulationParam } from '../backtest';
import { executionParamsSchema } from '../execution';
import type { Strategy } from '../strategy';
import { gridLayout, type Grid, type GridLayout, type ParamValue } from './grid';

/** What a sweep evaluates: one strategy over a grid, the other parameters fixed. */
export interface SweepDefinition {
  strategy: Strategy;
  /**
   * The strategy's and the execution parameters, defaults applied and validated (DESIGN.md section 12 `params`).
   * A swept parameter's value here, if any (a default filled in by the schema), is ignored: the grid's wins.
   */
  fixedParams: Readonly<Record<string, unknown>>;
  grid: Grid;
  /** Bars per year of the candles' timeframe (see `periodsPerYear` in ../timeframes). */
  periodsPerYear: number;
}

/** How a swept parameter is used: by the simulation only, by the signals, or by the signals and their shared preparation. */
export const SIMULATION_PARAM = 0;
export const SIGNAL_PARAM = 1;
export const SHARED_SIGNAL_PARAM = 2;

/** A checked sweep definition, with what the evaluation needs to group combinations by their signals. */
export interface SweepPlan {
  readonly strategy: Strategy;
  readonly fixedParams: Readonly<Record<string, unknown>>;
  readonly layout: GridLayout;
  readonly periodsPerYear: number;
  /** Per swept parameter (layout order): SIMULATION_PARAM, SIGNAL_PARAM or SHARED_SIGNAL_PARAM. */
  readonly roles: Uint8Array;
  /**
   * Mixed-radix weights of the swept signal parameters (0 for the others): the sum of value index x weight is a
   * signal key, equal for two combinations exactly when their signals are (they differ only in simulation parameters).
   */
  readonly signalWeights: Float64Array;
  /** The same over the parameters of the strategy's shared preparation (`sharedSignals.sharedParams`): the shared key. */
  readonly sharedWeights: Float64Array;
}

/**
 * Checks a sweep definition once, so that evaluation can trust it: every swept parameter is the strategy's or an
 * execution parameter, every value passes its schema, and the parameters of each combination pass the checks of
 * `runBacktest`. Messages name the value, e.g. `grid.volume_window[2]: got 1, ...`.
 */
export function planSweep(definition: SweepDefinition): SweepPlan {
  const { strategy, fixedParams, grid, periodsPerYear } = definition;
  const layout = gridLayout(grid);
  const { names, values } = layout;
  const strategyShape: Record<string, z.core.$ZodType> = strategy.paramsSchema.shape;
  const executionShape: Record<string, z.core.$ZodType> = executionParamsSchema.shape;
  const sharedParams = strategy.sharedSignals?.sharedParams ?? [];
  const roles = new Uint8Array(names.length);
  for (const [p, name] of names.entries()) {
    const isExecution = Object.prototype.hasOwnProperty.call(executionShape, name);
    const isStrategy = Object.prototype.hasOwnProperty.call(strategyShape, name);
    if (!isExecution && !isStrategy) {
      throw new RangeError(`grid.${name}: not a parameter of ${strategy.id} nor an execution parameter`);
    }
    const schema = isExecution ? executionShape[name] : strategyShape[name];
    for (const [k, value] of values[p].entries()) {
      const label = `grid.${name}[${k}]`;
      const checked = z.safeParse(schema, value);
      if (!checked.success) {
        throw new RangeError(
          `${label}: got ${JSON.stringify(value)}, expected a value its schema accepts (${checked.error.issues[0]?.message})`,
        );
      }
      checkSimulationParam(name, value, label);
    }
    if (isExecution || name === 'hold_period_bars') roles[p] = SIMULATION_PARAM;
    else roles[p] = sharedParams.includes(name) ? SHARED_SIGNAL_PARAM : SIGNAL_PARAM;
  }
  // the fixed parameters with the first value of each swept one: what runBacktest would check of every combination
  const firstCombination: Record<string, unknown> = { ...fixedParams };
  for (const [p, name] of names.entries()) firstCombination[name] = values[p][0];
  checkBacktestArguments(firstCombination, { periodsPerYear });
  return {
    strategy,
    fixedParams,
    layout,
    periodsPerYear,
    roles,
    signalWeights: keyWeights(values, roles, SIGNAL_PARAM),
    sharedWeights: keyWeights(values, roles, SHARED_SIGNAL_PARAM),
  };
}

/** Mixed-radix weights over the parameters whose role is at least `minimumRole` (the last one fastest), 0 elsewhere. */
function keyWeights(values: readonly (readonly ParamValue[])[], roles: Uint8Array, minimumRole: number): Float64Array {
  const weights = new Float64Array(values.length);
  let weight = 1;
  // from the fastest parameter back: each weight is the product of the value counts after it
  for (let p = values.length - 1; p >= 0; p--) {
    if (roles[p] < minimumRole) continue;
    weights[p] = weight;
    weight *= values[p].length;
  }
  return weights;
}
