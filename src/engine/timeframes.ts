/** Timeframes the platform accepts, and bars per year for 24/7 markets (365 days of trading). */
export const timeframes = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;

export type Timeframe = (typeof timeframes)[number];

const minutesPerYear = 365 * 24 * 60;

const minutesPerBar: Record<Timeframe, number> = { '1m': 1, '5m': 5, '15m': 15, '1h': 60, '4h': 240, '1d': 1440 };

/** Bars in a year of a 24/7 market: 1d -> 365, 1h -> 8760, 1m -> 525600. */
export function periodsPerYear(timeframe: Timeframe): number {
  const barMinutes = minutesPerBar[timeframe];
  if (barMinutes === undefined)
    throw new RangeError(`unknown timeframe: got ${String(timeframe)}, expected one of ${timeframes.join(', ')}`);
  return minutesPerYear / barMinutes;
}
