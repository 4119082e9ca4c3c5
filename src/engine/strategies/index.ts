import type { Strategy } from '../strategy';
import { StrategyRegistry } from './registry';
import { volumeLongCandle } from './volumeLongCandle';
import { volumeZoneBreakout } from './volumeZoneBreakout';

export { STRATEGY_ID_PATTERN, strategyDefinitionProblems } from './definition';
export { StrategyRegistry, type RegisteredStrategy, type StrategyListing, type StrategySource, type UnavailableStrategy } from './registry';

/** The built-in strategies by id. A new built-in is one file in this folder plus one line here. */
export const builtinStrategies = {
  volume_zone_breakout: volumeZoneBreakout,
  volume_long_candle: volumeLongCandle,
} as const;

export type BuiltinStrategyId = keyof typeof builtinStrategies;

/**
 * A strategy id: a built-in's or a loaded plugin's. Plain text, since plugins are known only at run time; requests
 * are checked against the registry (`isStrategyId`).
 */
export type StrategyId = string;

/**
 * The version of the built-ins' code, recorded in each manifest (`metadata.strategy_version`) and compared by the
 * workers with the API's. Raise it with any change to what a built-in computes (the golden tests show such changes).
 */
export const BUILTIN_STRATEGY_VERSION = 'builtin-1.0.0';

/** A registry holding the built-ins only: what a process has before it loads plugins (src/strategyPlugins.ts). */
export function createStrategyRegistry(): StrategyRegistry {
  return new StrategyRegistry(
    Object.values(builtinStrategies).map((strategy) => ({
      strategy: strategy as Strategy,
      source: 'builtin' as const,
      version: BUILTIN_STRATEGY_VERSION,
    })),
  );
}

let processRegistry = createStrategyRegistry();

/** The registry requests are validated against and strategies are looked up in, in this process. */
export function strategyRegistry(): StrategyRegistry {
  return processRegistry;
}

/** Makes `registry` this process's registry (the loader does, at the start of the API, a worker or a test harness). */
export function useStrategyRegistry(registry: StrategyRegistry): void {
  processRegistry = registry;
}

/** Ids of the strategies that can run now: built-ins first, then the loaded plugins. */
export function strategyIds(): StrategyId[] {
  return processRegistry.ids();
}

export function isStrategyId(value: string): value is StrategyId {
  return processRegistry.has(value);
}

/** The strategy for `id`, typed loosely for callers that hold validated but untyped parameters; an unknown id throws. */
export function getStrategy(id: StrategyId): Strategy {
  const entry = processRegistry.get(id);
  if (!entry) throw new RangeError(`unknown strategy: got ${JSON.stringify(id)}, expected one of ${strategyIds().join(', ')}`);
  return entry.strategy;
}
