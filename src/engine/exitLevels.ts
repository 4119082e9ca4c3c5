import type { Direction, ExecutionParams } from './types';

/** What the intrabar exit rules multiply, each null when the rule is off. */
export interface ExitLevelFactors {
  /** Of the entry fill price. */
  stopLoss: number | null;
  /** Of the entry fill price. */
  takeProfit: number | null;
  /** Of the best price since the entry. */
  trailingStop: number | null;
}

/**
 * The factors at which the stop-loss, the take-profit and the trailing stop fire (DESIGN.md section 14,
 * docs/metrics.md): a long's stop-loss at `entry * (1 - pct / 100)`, a short's at `entry * (1 + pct / 100)`, and so on.
 * The simulator and the chart of the web page both take the levels from here, so the chart draws what the simulator tested.
 */
export function exitLevelFactors(
  execution: Pick<ExecutionParams, 'direction' | 'stop_loss_pct' | 'take_profit_pct' | 'trailing_stop_pct'>,
): ExitLevelFactors {
  const sign = execution.direction === 'short' ? -1 : 1;
  const adverse = (pct: number | null | undefined) => (pct == null ? null : 1 - (sign * pct) / 100);
  return {
    stopLoss: adverse(execution.stop_loss_pct),
    takeProfit: execution.take_profit_pct == null ? null : 1 + (sign * execution.take_profit_pct) / 100,
    trailingStop: adverse(execution.trailing_stop_pct),
  };
}

/**
 * The trailing stop of one position bar by bar, as the simulator tests it: at bar t (after the entry bar, up to
 * `lastBar`), the best price so far times `factor`, where the best price is the entry fill and the highs (a short:
 * the lows) of the bars after the entry bar and before t. Writes `out[t]` for those bars and leaves the rest alone.
 */
export function trailingStopLevelsInto(
  high: Float64Array,
  low: Float64Array,
  direction: Direction,
  entryBar: number,
  lastBar: number,
  entryFill: number,
  factor: number,
  out: Float64Array,
): void {
  const favourable = direction === 'short' ? low : high;
  const sign = direction === 'short' ? -1 : 1;
  let best = entryFill;
  // each bar after the entry: its level from the bars before it, then its own extreme for the bars after it
  for (let t = entryBar + 1; t <= lastBar; t++) {
    out[t] = best * factor;
    if (sign * (favourable[t] - best) > 0) best = favourable[t];
  }
}
