/**
 * Ranking sweep rows by an objective (DESIGN.md section 12): rows with at least `min_trades` closed trades first,
 * ordered by the objective metric in its direction; a null metric (NaN in the columns) after every value of its
 * class; ties by lower combo id, then by lower row. Pure functions over the columns of `SweepRows`.
 */
import type { SummaryMetric } from '../types';
import type { SweepRows } from './evaluate';

export type ObjectiveDirection = 'max' | 'min';

export interface Objective {
  metric: SummaryMetric;
  /** Default: `min` for max_drawdown, `max` otherwise. */
  direction?: ObjectiveDirection;
  /** Rows with fewer closed trades (winning_signals + losing_signals) rank after all others; default 1. */
  min_trades?: number;
}

/** The direction DESIGN.md gives a metric when the request names none. */
export function defaultDirection(metric: SummaryMetric): ObjectiveDirection {
  return metric === 'max_drawdown' ? 'min' : 'max';
}

/**
 * Negative when row `a` ranks before row `b`, positive after, 0 only for a = b. `sign` is 1 for `max`, -1 for `min`.
 */
function compareRanked(rows: SweepRows, metric: Float64Array, sign: number, minTrades: number, a: number, b: number): number {
  const { winning_signals: winning, losing_signals: losing } = rows.metrics;
  const aRanked = winning[a] + losing[a] >= minTrades;
  const bRanked = winning[b] + losing[b] >= minTrades;
  if (aRanked !== bRanked) return aRanked ? -1 : 1;
  const aValue = metric[a];
  const bValue = metric[b];
  const aDefined = !Number.isNaN(aValue);
  if (aDefined !== !Number.isNaN(bValue)) return aDefined ? -1 : 1;
  if (aValue !== bValue && aDefined) return sign * (aValue > bValue ? -1 : 1);
  return rows.comboId[a] - rows.comboId[b] || a - b;
}

function resolve(objective: Objective): { sign: number; minTrades: number } {
  const minTrades = objective.min_trades ?? 1;
  if (!Number.isFinite(minTrades) || minTrades < 0) throw new RangeError(`min_trades: got ${minTrades}, expected a number >= 0`);
  return { sign: (objective.direction ?? defaultDirection(objective.metric)) === 'max' ? 1 : -1, minTrades };
}

function checkRange(rows: SweepRows, from: number, to: number): void {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from > to || to > rows.capacity) {
    throw new RangeError(`rows: got [${from}, ${to}), expected a range within [0, ${rows.capacity}]`);
  }
}

/** The rows [from, to) best first: their indices in rank order. */
export function rankOrder(rows: SweepRows, from: number, to: number, objective: Objective): Int32Array {
  checkRange(rows, from, to);
  const { sign, minTrades } = resolve(objective);
  const metric = rows.metrics[objective.metric];
  const order = new Int32Array(to - from);
  for (let k = 0; k < order.length; k++) order[k] = from + k;
  return order.sort((a, b) => compareRanked(rows, metric, sign, minTrades, a, b));
}

/** `out[row - from]` = the 1-based rank of each row of [from, from + order.length), from `rankOrder`'s order. */
export function ranksInto(order: Int32Array, from: number, out: Int32Array): Int32Array {
  // the k-th row of the order has rank k + 1
  for (let k = 0; k < order.length; k++) out[order[k] - from] = k + 1;
  return out;
}

/** The best row of [from, to) in one pass (the first of `rankOrder`), or -1 for an empty range: a sweep's "best so far". */
export function bestRow(rows: SweepRows, from: number, to: number, objective: Objective): number {
  checkRange(rows, from, to);
  const { sign, minTrades } = resolve(objective);
  const metric = rows.metrics[objective.metric];
  let best = from < to ? from : -1;
  // keep the row that ranks before every other seen
  for (let row = from + 1; row < to; row++) if (compareRanked(rows, metric, sign, minTrades, row, best) < 0) best = row;
  return best;
}
