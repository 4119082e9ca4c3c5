import fc from 'fast-check';
import { simulate, type Simulation } from '../../../src/engine/simulator';
import type { ExecutionParams } from '../../../src/engine/types';
import type { Bar } from './reference';
import { referenceSimulation } from './reference';
import { candlesFromBars, closesOnly, columnsAsHex, expectClose, tradeRows as tradeColumnsAsRows } from './helpers';

const tradeRows = ({ trades }: Simulation) => tradeColumnsAsRows(trades);

const noCosts: ExecutionParams = { initial_capital: 1000, position_size: 1, fee_rate: 0, slippage_bps: 0 };

function run(bars: Bar[], signals: number[], holdPeriodBars: number, execution: ExecutionParams = noCosts): Simulation {
  return simulate(candlesFromBars(bars), Uint8Array.from(signals), holdPeriodBars, execution);
}

describe('simulate', () => {
  it('enters at the signal close and exits hold_period_bars later at that close', () => {
    const result = run(closesOnly([10, 11, 12, 11, 13]), [1, 0, 0, 0, 0], 2);
    expect(tradeRows(result)).toEqual([
      {
        entryIndex: 0,
        exitIndex: 2,
        entryPrice: 10,
        exitPrice: 12,
        quantity: 100,
        returnPct: 20,
        holdBars: 2,
        feeAmount: 0,
        slippageAmount: 0,
      },
    ]);
    expect(Array.from(result.curve.equity)).toEqual([1000, 1100, 1200, 1200, 1200]);
    expect(Array.from(result.curve.cumulativePnl)).toEqual([0, 100, 200, 200, 200]);
    expect(Array.from(result.curve.cumulativePnlPct)).toEqual([0, 10, 20, 20, 20]);
    expect(Array.from(result.curve.drawdown)).toEqual([0, 0, 0, 0, 0]);
  });

  it('skips signals while a position is open', () => {
    const result = run(closesOnly([10, 11, 12, 11, 13]), [1, 1, 0, 1, 0], 2);
    expect(tradeRows(result).map((trade) => [trade.entryIndex, trade.exitIndex])).toEqual([
      [0, 2],
      [3, -1],
    ]);
  });

  it('closes first and then re-enters on the same bar', () => {
    const result = run(closesOnly([10, 20, 25, 20, 30]), [1, 0, 1, 0, 0], 2);
    expect(tradeRows(result).map((trade) => [trade.entryIndex, trade.exitIndex, trade.returnPct])).toEqual([
      [0, 2, 150],
      [2, 4, 20],
    ]);
    // 100 units from 10 to 25 -> 2500, re-invested: 100 units from 25 to 30
    expect(Array.from(result.curve.equity)).toEqual([1000, 2000, 2500, 2000, 3000]);
    // peak 2500 at bar 2, equity 2000 at bar 3: 20 % below it
    expect(Array.from(result.curve.drawdown)).toEqual([0, 0, 0, 20, 0]);
  });

  it('leaves a trade open at the end, marked to the last close net of the exit it would take there', () => {
    const execution = { initial_capital: 1000, position_size: 1, fee_rate: 0.01, slippage_bps: 100 };
    const result = run(closesOnly([100, 100, 110]), [0, 1, 0], 5, execution);
    const [trade] = tradeRows(result);
    const entryFill = 100 * 1.01;
    const quantity = 1000 / (entryFill * 1.01);
    const entryFee = quantity * entryFill * 0.01;
    const markFill = 110 * (1 - 0.01);
    const markFee = quantity * markFill * 0.01;
    expect(trade).toEqual({
      entryIndex: 1,
      exitIndex: -1,
      entryPrice: entryFill,
      exitPrice: NaN,
      quantity,
      returnPct: ((quantity * markFill - markFee - quantity * entryFill - entryFee) / (quantity * entryFill + entryFee)) * 100,
      holdBars: 1,
      feeAmount: entryFee,
      slippageAmount: quantity * 100 * 0.01,
    });
    // the curve marks the open position at the plain close
    expect(result.curve.equity[2]).toBe(1000 - (quantity * entryFill + entryFee) + quantity * 110);
  });

  it('charges fees on both fills and slippage on both prices, per DESIGN.md', () => {
    const execution = { initial_capital: 10_000, position_size: 0.5, fee_rate: 0.001, slippage_bps: 10 };
    const result = run(closesOnly([100, 110]), [1, 0], 1, execution);
    const entryFill = 100 * (1 + 0.001);
    const quantity = (10_000 * 0.5) / (entryFill * (1 + 0.001));
    const entryFee = quantity * entryFill * 0.001;
    const exitFill = 110 * (1 - 0.001);
    const exitFee = quantity * exitFill * 0.001;
    expect(tradeRows(result)).toEqual([
      {
        entryIndex: 0,
        exitIndex: 1,
        entryPrice: entryFill,
        exitPrice: exitFill,
        quantity,
        returnPct: ((quantity * exitFill - exitFee - quantity * entryFill - entryFee) / (quantity * entryFill + entryFee)) * 100,
        holdBars: 1,
        feeAmount: entryFee + exitFee,
        slippageAmount: quantity * 100 * 0.001 + quantity * 110 * 0.001,
      },
    ]);
    expect(result.curve.equity[1]).toBe(10_000 - (quantity * entryFill + entryFee) + (quantity * exitFill - exitFee));
  });

  it('sizes the trade arrays by the number of signals and reports the trades taken', () => {
    const result = run(closesOnly([1, 2, 3, 4]), [1, 1, 1, 1], 3);
    expect(result.trades.entryIndex.length).toBe(4);
    expect(result.trades.count).toBe(2);
  });

  it('handles no candles and no signals', () => {
    expect(run([], [], 1).trades.count).toBe(0);
    const flat = run(closesOnly([5, 6, 7]), [0, 0, 0], 1);
    expect(flat.trades.count).toBe(0);
    expect(Array.from(flat.curve.equity)).toEqual([1000, 1000, 1000]);
  });
});

/** Random closes (as bars), signals and execution parameters. */
const scenario = fc.integer({ min: 1, max: 120 }).chain((length) =>
  fc.record({
    closes: fc.array(fc.double({ min: 0.01, max: 1e5, noNaN: true }), { minLength: length, maxLength: length }),
    signals: fc.array(fc.constantFrom(0, 0, 1), { minLength: length, maxLength: length }),
    holdPeriodBars: fc.integer({ min: 1, max: 10 }),
    execution: fc.record({
      initial_capital: fc.double({ min: 1, max: 1e9, noNaN: true }),
      position_size: fc.double({ min: 0.01, max: 1, noNaN: true }),
      fee_rate: fc.double({ min: 0, max: 0.099, noNaN: true }),
      slippage_bps: fc.double({ min: 0, max: 999, noNaN: true }),
    }),
  }),
);

type Scenario = typeof scenario extends fc.Arbitrary<infer Value> ? Value : never;

/** Runs `check` on many random scenarios. */
const forEveryScenario = (check: (scenario: Scenario) => void) => fc.assert(fc.property(scenario, check));

describe('simulate properties', () => {
  it('matches the straightforward reference simulation exactly', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      const bars = closesOnly(closes);
      const result = run(bars, signals, holdPeriodBars, execution);
      const reference = referenceSimulation(bars, signals, holdPeriodBars, execution);
      expect(tradeRows(result)).toEqual(reference.trades);
      expect(Array.from(result.curve.equity)).toEqual(reference.equity);
      expect(Array.from(result.curve.drawdown)).toEqual(reference.drawdown);
      expect(Array.from(result.curve.cumulativePnl)).toEqual(reference.cumulativePnl);
      expect(Array.from(result.curve.cumulativePnlPct)).toEqual(reference.cumulativePnlPct);
    });
  });

  it('never lets equity go negative', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      for (const value of run(closesOnly(closes), signals, holdPeriodBars, execution).curve.equity) expect(value).toBeGreaterThanOrEqual(0);
    });
  });

  it('never overlaps closed trades', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      const rows = tradeRows(run(closesOnly(closes), signals, holdPeriodBars, execution));
      rows.forEach((trade, k) => {
        if (trade.exitIndex >= 0) expect(trade.exitIndex).toBe(trade.entryIndex + holdPeriodBars);
        else expect(k).toBe(rows.length - 1);
        if (k > 0) expect(trade.entryIndex).toBeGreaterThanOrEqual(rows[k - 1].exitIndex);
      });
    });
  });

  it('never raises a return by charging fees or slippage', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      const bars = closesOnly(closes);
      const withCosts = tradeRows(run(bars, signals, holdPeriodBars, execution));
      const free = tradeRows(run(bars, signals, holdPeriodBars, { ...execution, fee_rate: 0, slippage_bps: 0 }));
      expect(withCosts.length).toBe(free.length);
      withCosts.forEach((trade, k) => expect(trade.returnPct).toBeLessThanOrEqual(free[k].returnPct + 1e-9));
    });
  });

  it('gives gross close-to-close returns without costs', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      const free = { ...execution, fee_rate: 0, slippage_bps: 0 };
      for (const trade of tradeRows(run(closesOnly(closes), signals, holdPeriodBars, free))) {
        const exitClose = closes[trade.exitIndex >= 0 ? trade.exitIndex : closes.length - 1];
        const gross = ((exitClose - closes[trade.entryIndex]) / closes[trade.entryIndex]) * 100;
        expectClose(trade.returnPct, gross);
      }
    });
  });

  it('gives bit-identical results on a second run', () => {
    forEveryScenario(({ closes, signals, holdPeriodBars, execution }) => {
      const bars = closesOnly(closes);
      const first = run(bars, signals, holdPeriodBars, execution);
      const second = run(bars, signals, holdPeriodBars, execution);
      expect(columnsAsHex(second.trades, second.curve)).toEqual(columnsAsHex(first.trades, first.curve));
    });
  });
});
