import type { Strategy } from '../strategy';
import { volumeLongCandle } from './volumeLongCandle';
import { volumeZoneBreakout } from './volumeZoneBreakout';

/** Every strategy by id. A new strategy is one file in this folder plus one line here. */
export const strategies = {
  volume_zone_breakout: volumeZoneBreakout,
  volume_long_candle: volumeLongCandle,
} as const;

export type StrategyId = keyof typeof strategies;

export const strategyIds = Object.keys(strategies) as StrategyId[];

export function isStrategyId(value: string): value is StrategyId {
  return Object.prototype.hasOwnProperty.call(strategies, value);
}

/** The strategy for `id`, typed loosely for callers that hold validated but untyped parameters. */
export function getStrategy(id: StrategyId): Strategy {
  return strategies[id];
}
