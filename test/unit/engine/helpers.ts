import fc from 'fast-check';
import type { Strategy } from '../../../src/engine/strategy';
import { exitReasons, type Candles, type SimulatedTrades, type SymbolSummary, type Trades } from '../../../src/engine/types';
import type { Bar } from './reference';

const DAY_MS = 86_400_000;

/** Columnar candles from rows, one day apart from 2024-01-01. */
export function candlesFromBars(bars: Bar[]): Candles {
  const column = (pick: (bar: Bar) => number) => Float64Array.from(bars, pick);
  return {
    length: bars.length,
    timestamp: Float64Array.from(bars, (_, i) => Date.UTC(2024, 0, 1) + i * DAY_MS),
    open: column((bar) => bar.open),
    high: column((bar) => bar.high),
    low: column((bar) => bar.low),
    close: column((bar) => bar.close),
    volume: column((bar) => bar.volume),
  };
}

/** A bar from [open, high, low, close, volume]. */
export function bar([open, high, low, close, volume]: [number, number, number, number, number]): Bar {
  return { open, high, low, close, volume };
}

/** Bars that only close at the given prices (open = high = low = close), volume 1: for simulator tests. */
export function closesOnly(closes: number[]): Bar[] {
  return closes.map((close) => ({ open: close, high: close, low: close, close, volume: 1 }));
}

/** Expects |actual - expected| <= relativeTolerance * max(1, |expected|). */
export function expectClose(actual: number, expected: number, relativeTolerance = 1e-9): void {
  const allowed = relativeTolerance * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= allowed)) {
    throw new Error(`expected ${actual} to be within ${allowed} of ${expected}`);
  }
}

/**
 * Compounded figures go through logs and powers in another order than the reference: a looser match. The
 * literal volatility (var + g^2)^N - g^2N of the reference also loses about 2^-53 * g^2 / var of its
 * precision to cancellation, so Sharpe is matched within that.
 */
export function expectSameSummary(actual: SymbolSummary, expected: SymbolSummary, equity: number[], initialCapital: number): void {
  const barReturns = equity.map((value, t) => value / (t === 0 ? initialCapital : equity[t - 1]) - 1);
  const meanReturn = barReturns.reduce((sum, value) => sum + value, 0) / barReturns.length;
  const variance = barReturns.reduce((sum, value) => sum + (value - meanReturn) ** 2, 0) / (barReturns.length - 1);
  const tolerances: Partial<Record<keyof SymbolSummary, number>> = { sharpe: 1e-6 + 1e-14 / variance, sortino: 1e-6, cagr: 1e-6 };
  for (const key of Object.keys(expected) as (keyof SymbolSummary)[]) {
    const want = expected[key];
    const got = actual[key];
    if (want === null || got === null) expect([key, got]).toEqual([key, want]);
    else expectClose(got, want, tolerances[key] ?? 1e-9);
  }
}

/** A strategy's signals as a plain array, parameters defaulted by its schema; checks the returned count. */
export function signalsOf(strategy: Strategy, bars: Bar[], overrides: Record<string, unknown> = {}): number[] {
  const out = new Uint8Array(bars.length);
  const count = strategy.signalsInto(candlesFromBars(bars), strategy.paramsSchema.parse(overrides), out);
  expect(count).toBe(out.reduce((sum, value) => sum + value, 0));
  return Array.from(out);
}

/** The fields of column objects (trades, curve), typed arrays as hex so NaN and -0 compare bit for bit. */
export function columnsAsHex(...columnSets: object[]): unknown[] {
  return columnSets.flatMap((columns) =>
    Object.values(columns).map((column) =>
      ArrayBuffer.isView(column) ? Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('hex') : column,
    ),
  );
}

/** Trade rows as plain objects (count rows only), for literal comparisons. */
export function tradeRows(trades: Trades) {
  return Array.from({ length: trades.count }, (_, k) => ({
    entryIndex: trades.entryIndex[k],
    exitIndex: trades.exitIndex[k],
    entryPrice: trades.entryPrice[k],
    exitPrice: trades.exitPrice[k],
    quantity: trades.quantity[k],
    returnPct: trades.returnPct[k],
    holdBars: trades.holdBars[k],
    feeAmount: trades.feeAmount[k],
    slippageAmount: trades.slippageAmount[k],
  }));
}

/** `tradeRows` with each trade's exit reason by name. */
export function tradeRowsWithExitReasons(trades: SimulatedTrades) {
  return tradeRows(trades).map((row, k) => ({ ...row, exitReason: exitReasons[trades.exitReason[k]] }));
}

/** Bars on a coarse price grid with small integer volumes: exact ties between bins and edges are common. */
export const gridBar = fc
  .record({
    open: fc.integer({ min: 2, max: 40 }),
    close: fc.integer({ min: 2, max: 40 }),
    wickUp: fc.integer({ min: 0, max: 4 }),
    wickDown: fc.integer({ min: 0, max: 4 }),
    volume: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ open, close, wickUp, wickDown, volume }): Bar => ({
    open: open / 2,
    close: close / 2,
    high: (Math.max(open, close) + wickUp) / 2,
    low: Math.max(1, Math.min(open, close) - wickDown) / 2,
    volume,
  }));

/** Bars of a random walk with arbitrary doubles. */
export const walkBars = (length: number): fc.Arbitrary<Bar[]> =>
  fc
    .array(
      fc.record({
        move: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        wickUp: fc.double({ min: 0, max: 0.03, noNaN: true }),
        wickDown: fc.double({ min: 0, max: 0.03, noNaN: true }),
        volume: fc.double({ min: 0, max: 1e6, noNaN: true }),
      }),
      { minLength: length, maxLength: length },
    )
    .map((steps) => {
      let price = 100;
      return steps.map(({ move, wickUp, wickDown, volume }): Bar => {
        const open = price;
        const close = open * (1 + move);
        price = close;
        return { open, close, high: Math.max(open, close) * (1 + wickUp), low: Math.min(open, close) * (1 - wickDown), volume };
      });
    });

/**
 * Bars of a market-like random walk: moves, gaps and wicks in whole basis points, volumes in whole units (some 0),
 * so that both strategies and the exit rules fire often (arbitrary doubles mostly give flat bars).
 */
export const marketBars = (length: number): fc.Arbitrary<Bar[]> =>
  fc
    .array(
      fc.record({
        gap: fc.integer({ min: -50, max: 50 }),
        move: fc.integer({ min: -400, max: 400 }),
        wickUp: fc.integer({ min: 0, max: 150 }),
        wickDown: fc.integer({ min: 0, max: 150 }),
        volume: fc.integer({ min: 0, max: 1000 }),
      }),
      { minLength: length, maxLength: length },
    )
    .map((steps) => {
      let price = 100;
      return steps.map(({ gap, move, wickUp, wickDown, volume }): Bar => {
        const open = price * (1 + gap / 1e4);
        const close = open * (1 + move / 1e4);
        price = close;
        const high = Math.max(open, close) * (1 + wickUp / 1e4);
        const low = Math.min(open, close) * (1 - wickDown / 1e4);
        return { open, close, high, low, volume };
      });
    });
