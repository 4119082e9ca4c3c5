/**
 * Random bars, signals, costs and exit rules for the property tests of the simulator and the summary.
 */
import fc from 'fast-check';
import { simulate, type Simulation } from '../../../src/engine/simulator';
import type { Bar } from './reference';
import { candlesFromBars } from './helpers';

/** A random walk of bars around 100: doubles, or whole numbers that make exact ties with levels likely. */
const randomBars = (length: number): fc.Arbitrary<Bar[]> =>
  fc.oneof(
    fc
      .array(
        fc.record({
          gap: fc.double({ min: -0.06, max: 0.06, noNaN: true }),
          move: fc.double({ min: -0.08, max: 0.08, noNaN: true }),
          upperWick: fc.double({ min: 0, max: 0.05, noNaN: true }),
          lowerWick: fc.double({ min: 0, max: 0.05, noNaN: true }),
        }),
        { minLength: length, maxLength: length },
      )
      .map((steps) => {
        let previousClose = 100;
        return steps.map(({ gap, move, upperWick, lowerWick }) => {
          const open = previousClose * (1 + gap);
          const close = open * (1 + move);
          previousClose = close;
          return { open, high: Math.max(open, close) * (1 + upperWick), low: Math.min(open, close) * (1 - lowerWick), close, volume: 1 };
        });
      }),
    fc
      .array(fc.tuple(fc.integer({ min: 80, max: 120 }), fc.integer({ min: 80, max: 120 }), fc.nat(6), fc.nat(6)), {
        minLength: length,
        maxLength: length,
      })
      .map((rows) =>
        rows.map(([open, close, up, down]) => ({
          open,
          high: Math.max(open, close) + up,
          low: Math.min(open, close) - down,
          close,
          volume: 1,
        })),
      ),
  );

/** Whole percentages in half the cases, so levels land exactly on whole-number prices. */
const percent = (max: number) =>
  fc.option(fc.oneof(fc.integer({ min: 1, max: Math.floor(max) }), fc.double({ min: 0.1, max, noNaN: true })));

export const exitScenario = fc.integer({ min: 1, max: 80 }).chain((length) =>
  fc.record({
    bars: randomBars(length),
    signals: fc.array(fc.constantFrom(0, 0, 1), { minLength: length, maxLength: length }),
    exits: fc.option(fc.array(fc.constantFrom(0, 0, 0, 1), { minLength: length, maxLength: length })),
    holdPeriodBars: fc.integer({ min: 0, max: 6 }),
    execution: fc.record({
      initial_capital: fc.double({ min: 1, max: 1e9, noNaN: true }),
      position_size: fc.double({ min: 0.01, max: 1, noNaN: true }),
      fee_rate: fc.constantFrom(0, 0.0005, 0.01),
      slippage_bps: fc.constantFrom(0, 5, 100),
    }),
    rules: fc.record({
      direction: fc.constantFrom('long' as const, 'short' as const),
      stop_loss_pct: percent(30),
      take_profit_pct: percent(60),
      trailing_stop_pct: percent(30),
      max_hold_bars: fc.option(fc.integer({ min: 1, max: 8 })),
    }),
  }),
);

export type ExitScenario = typeof exitScenario extends fc.Arbitrary<infer Value> ? Value : never;

export function simulateScenario({ bars, signals, exits, holdPeriodBars, execution, rules }: ExitScenario): Simulation {
  const exitSignals = exits === null ? null : Uint8Array.from(exits);
  return simulate(candlesFromBars(bars), Uint8Array.from(signals), holdPeriodBars, { ...execution, ...rules }, exitSignals);
}
