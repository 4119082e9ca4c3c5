/**
 * Every indicator against the trading-signals library (pinned in package.json) on random series: the same values
 * to 1e-9 relative, NaN exactly where the library has no value yet. The library is an ES module, which Jest's
 * CommonJS runtime cannot load, so one Node process runs it on all cases (./tradingSignals.mjs).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import * as kit from '../../../../src/engine/indicators';

interface Series {
  close: number[];
  high: number[];
  low: number[];
}

/** Random walks of closes with highs and lows around them: doubles at various scales, or small whole numbers (ties). */
const randomSeries: fc.Arbitrary<Series> = fc.integer({ min: 0, max: 300 }).chain((length) =>
  fc.oneof(
    fc
      .record({
        start: fc.constantFrom(1, 100, 50_000),
        volatility: fc.constantFrom(0.0005, 0.01, 0.05),
        steps: fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: length,
          maxLength: length,
        }),
      })
      .map(({ start, volatility, steps }) => {
        let close = start;
        const series: Series = { close: [], high: [], low: [] };
        for (const [move, wick] of steps) {
          const open = close;
          close *= 1 + move * volatility;
          series.close.push(close);
          series.high.push(Math.max(open, close) * (1 + wick * volatility));
          series.low.push(Math.min(open, close) * (1 - wick * volatility));
        }
        return series;
      }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.nat(2), fc.nat(2)), { minLength: length, maxLength: length }).map((rows) => ({
      close: rows.map(([close]) => close),
      high: rows.map(([close, up]) => close + up),
      low: rows.map(([close, , down]) => close - down * 0.25),
    })),
  ),
);

interface Case {
  series: Series;
  period: number;
  multiplier: number;
  /** A second series for the crossovers: whole numbers that tie often, or the close three bars earlier. */
  other: number[];
}

const cases: Case[] = fc.sample(
  fc.record({ series: randomSeries, period: fc.integer({ min: 1, max: 40 }), multiplier: fc.constantFrom(1, 2, 2.5) }).chain((testCase) => {
    const { close } = testCase.series;
    const lagged = close.map((_, i) => close[Math.max(0, i - 3)]);
    return fc
      .oneof(fc.constant(lagged), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: close.length, maxLength: close.length }))
      .map((other) => ({ ...testCase, other }));
  }),
  { numRuns: 150, seed: 20_240_101 },
);

type Indicator = 'sma' | 'ema' | 'rsi' | 'atr' | 'bollinger' | 'rollingMax' | 'rollingMin' | 'crossAbove' | 'crossBelow';
const indicators: Indicator[] = ['sma', 'ema', 'rsi', 'atr', 'bollinger', 'rollingMax', 'rollingMin', 'crossAbove', 'crossBelow'];

/** What the library computes for every case and indicator, in one process. */
function libraryValues(): Record<Indicator, unknown[][]> {
  const requests = cases.flatMap(({ series, period, multiplier, other }) =>
    indicators.map((indicator) => ({ indicator, period, multiplier, input: series.close, ...series, a: series.close, b: other })),
  );
  const output = execFileSync(process.execPath, [join(__dirname, 'tradingSignals.mjs')], {
    input: JSON.stringify(requests),
    maxBuffer: 1 << 28,
  });
  const results = JSON.parse(output.toString()) as unknown[][];
  return Object.fromEntries(
    indicators.map((indicator, k) => [indicator, cases.map((_, c) => results[c * indicators.length + k])]),
  ) as Record<Indicator, unknown[][]>;
}

const library = libraryValues();

/** Ours against the library's: NaN where it has null, else within 1e-9 of its value relative to max(1, |value|). */
function expectMatches(ours: ArrayLike<number>, theirs: (number | null)[], where: string): void {
  expect(ours.length).toBe(theirs.length);
  theirs.forEach((expected, i) => {
    const actual = ours[i];
    if (expected === null) {
      if (!Number.isNaN(actual)) throw new Error(`${where}[${i}]: got ${actual}, expected NaN (the library has no value yet)`);
    } else if (!(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))) {
      throw new Error(`${where}[${i}]: got ${actual}, expected ${expected}`);
    }
  });
}

describe('the indicator kit against trading-signals on random series', () => {
  it('has cases of every shape: short and long, periods beyond the length, whole numbers and doubles', () => {
    expect(cases.some(({ series, period }) => period > series.close.length)).toBe(true);
    expect(cases.some(({ series }) => series.close.length > 200)).toBe(true);
    expect(cases.some(({ series }) => series.close.length > 0 && Number.isInteger(series.close[0]))).toBe(true);
    expect(cases.some(({ series }) => series.close[0] > 40_000)).toBe(true);
  });

  it.each(['sma', 'ema', 'rsi', 'rollingMax', 'rollingMin'] as const)('%s matches', (indicator) => {
    cases.forEach(({ series, period }, c) => {
      // trading-signals' RSI keeps period prices to measure a change: with period 1 it never yields a value
      if (indicator === 'rsi' && period === 1) return;
      const ours = kit[indicator](Float64Array.from(series.close), period);
      expectMatches(ours, library[indicator][c] as (number | null)[], `case ${c} ${indicator}(${period})`);
    });
  });

  it('atr matches', () => {
    cases.forEach(({ series, period }, c) => {
      const [high, low, close] = [series.high, series.low, series.close].map((column) => Float64Array.from(column));
      expectMatches(kit.atr(high, low, close, period), library.atr[c] as (number | null)[], `case ${c} atr(${period})`);
    });
  });

  it('bollinger matches, band by band', () => {
    cases.forEach(({ series, period, multiplier }, c) => {
      const bands = kit.bollinger(Float64Array.from(series.close), period, multiplier);
      const theirs = library.bollinger[c] as ([number, number, number] | null)[];
      (['lower', 'middle', 'upper'] as const).forEach((band, b) => {
        const column = theirs.map((row) => (row === null ? null : row[b]));
        expectMatches(bands[band], column, `case ${c} bollinger(${period}, ${multiplier}).${band}`);
      });
    });
  });

  it.each(['crossAbove', 'crossBelow'] as const)('%s matches', (indicator) => {
    cases.forEach(({ series, other }, c) => {
      const ours = kit[indicator](Float64Array.from(series.close), Float64Array.from(other));
      expect([c, Array.from(ours)]).toEqual([c, library[indicator][c]]);
    });
  });
});
