import fc from 'fast-check';
import { runStrategyBacktest } from '../../../src/engine/backtest';
import { executionParamsSchema } from '../../../src/engine/execution';
import { allocateSummaryColumns, summarize, summarizeInto, summaryOfRow } from '../../../src/engine/metrics';
import {
  allocateEquityCurve,
  allocateSimulation,
  allocateTrades,
  simulate,
  simulateInto,
  type Simulation,
} from '../../../src/engine/simulator';
import { defineStrategy, holdPeriodBarsSchema } from '../../../src/engine/strategy';
import { exitReasonCode, exitReasons, summaryMetrics, type ExecutionParams } from '../../../src/engine/types';
import { z } from 'zod';
import type { Bar } from './reference';
import { referenceSimulation } from './reference';
import { noExitRules, referenceExitSimulation } from './referenceExits';
import { exitScenario, simulateScenario, type ExitScenario } from './exitScenario';
import { bar, candlesFromBars, closesOnly, columnsAsHex, expectClose, tradeRows, tradeRowsWithExitReasons } from './helpers';

const noCosts: ExecutionParams = { initial_capital: 1000, position_size: 1, fee_rate: 0, slippage_bps: 0 };

interface Run {
  bars: Bar[];
  signals: number[];
  exits?: number[];
  hold?: number;
  execution?: Partial<ExecutionParams>;
}

function run({ bars, signals, exits, hold = 0, execution = {} }: Run): Simulation {
  const exitSignals = exits === undefined ? null : Uint8Array.from(exits);
  return simulate(candlesFromBars(bars), Uint8Array.from(signals), hold, { ...noCosts, ...execution }, exitSignals);
}

/** [entry bar, exit bar, exit price, exit reason] of each trade. */
function exitsOf(simulation: Simulation): [number, number, number, string][] {
  return tradeRowsWithExitReasons(simulation.trades).map((trade) => [trade.entryIndex, trade.exitIndex, trade.exitPrice, trade.exitReason]);
}

/** An entry at the close of bar 0 (100), then the given [open, high, low, close] bars. */
function afterEntryAt100(...bars: [number, number, number, number][]): Bar[] {
  return [bar([100, 100, 100, 100, 1]), ...bars.map(([open, high, low, close]) => bar([open, high, low, close, 1]))];
}

describe('exit reasons', () => {
  it('are listed in code order, the order the storage layer writes', () => {
    expect(exitReasons).toEqual(['signal', 'hold', 'stop_loss', 'take_profit', 'trailing_stop', 'max_hold', 'end_of_data']);
    for (const [code, name] of exitReasons.entries()) expect(exitReasonCode[name]).toBe(code);
  });
});

describe('stop-loss and take-profit', () => {
  it('fills a stop-loss inside the bar at its level', () => {
    // entry 100, stop 5 % below: 95; the next bar trades down to 94
    const result = run({
      bars: afterEntryAt100([99, 101, 94, 96], [96, 97, 95.5, 96]),
      signals: [1, 0, 0],
      execution: { stop_loss_pct: 5 },
    });
    expect(exitsOf(result)).toEqual([[0, 1, 95, 'stop_loss']]);
    expect(result.trades.returnPct[0]).toBe(-5);
    // 10 units sold at 95: 950 from the stop bar on
    expect(Array.from(result.curve.equity)).toEqual([1000, 950, 950]);
  });

  it('fills a stop-loss the bar gaps through at the open', () => {
    const result = run({ bars: afterEntryAt100([90, 92, 88, 91]), signals: [1, 0], execution: { stop_loss_pct: 5 } });
    expect(exitsOf(result)).toEqual([[0, 1, 90, 'stop_loss']]);
  });

  it('fills a take-profit inside the bar at its level and one the bar gaps through at the open', () => {
    const inside = run({ bars: afterEntryAt100([101, 106, 100, 104]), signals: [1, 0], execution: { take_profit_pct: 5 } });
    expect(exitsOf(inside)).toEqual([[0, 1, 105, 'take_profit']]);
    const gap = run({ bars: afterEntryAt100([108, 109, 107, 108]), signals: [1, 0], execution: { take_profit_pct: 5 } });
    expect(exitsOf(gap)).toEqual([[0, 1, 108, 'take_profit']]);
  });

  it('takes the stop-loss when the stop and the take-profit are both inside one bar', () => {
    const result = run({
      bars: afterEntryAt100([100, 106, 94, 105]),
      signals: [1, 0],
      execution: { stop_loss_pct: 5, take_profit_pct: 5 },
    });
    expect(exitsOf(result)).toEqual([[0, 1, 95, 'stop_loss']]);
  });

  it('fills a level touched exactly (inclusive), and never checks the entry bar itself', () => {
    // the entry bar's own low of 90 happened before the fill at its close: no exit on bar 0
    const bars = [bar([100, 100, 90, 100, 1]), bar([100, 101, 95, 96, 1])];
    expect(exitsOf(run({ bars, signals: [1, 0], execution: { stop_loss_pct: 5 } }))).toEqual([[0, 1, 95, 'stop_loss']]);
  });

  it('moves level fills adversely by the slippage and charges slippage_amount on the level', () => {
    const execution = { slippage_bps: 100, stop_loss_pct: 10 };
    const result = run({ bars: afterEntryAt100([100, 100, 80, 85]), signals: [1, 0], execution });
    const entryFill = 100 * 1.01;
    const level = entryFill * (1 - 10 / 100);
    const quantity = 1000 / entryFill;
    expect(tradeRowsWithExitReasons(result.trades)).toEqual([
      expect.objectContaining({ exitPrice: level * (1 - 0.01), slippageAmount: quantity * 100 * 0.01 + quantity * level * 0.01 }),
    ]);
  });

  it('does not reopen on the bar of an intrabar exit, but does after an exit at the close', () => {
    // signals on every bar: the stop bar (1) refuses the entry, bar 2 takes it
    const stopped = run({
      bars: afterEntryAt100([99, 101, 94, 96], [96, 97, 95.5, 96]),
      signals: [1, 1, 1],
      execution: { stop_loss_pct: 5 },
    });
    expect(exitsOf(stopped).map(([entry, exit, , reason]) => [entry, exit, reason])).toEqual([
      [0, 1, 'stop_loss'],
      [2, -1, 'end_of_data'],
    ]);
    const held = run({ bars: closesOnly([100, 101, 102]), signals: [1, 1, 1], hold: 1 });
    expect(exitsOf(held).map(([entry, exit, , reason]) => [entry, exit, reason])).toEqual([
      [0, 1, 'hold'],
      [1, 2, 'hold'],
      [2, -1, 'end_of_data'],
    ]);
  });
});

describe('trailing stop', () => {
  it('trails the best high of the bars before the current one, never the current bar own high', () => {
    // 10 % trail from the entry at 100. Bar 1 reaches 120 and dips to 107: its own high does not count yet
    // (stop still 90). Bar 2 is tested against 120 * 0.9 = 108 and trades down to 107.
    const bars = afterEntryAt100([110, 120, 107, 115], [112, 113, 107, 110]);
    const result = run({ bars, signals: [1, 0, 0], execution: { trailing_stop_pct: 10 } });
    expect(exitsOf(result)).toEqual([[0, 2, 108, 'trailing_stop']]);
  });

  it('counts as the stop-loss where the stop-loss is the tighter level, or on a tie', () => {
    const bars = afterEntryAt100([99, 101, 90, 95]);
    expect(exitsOf(run({ bars, signals: [1, 0], execution: { trailing_stop_pct: 10, stop_loss_pct: 5 } }))).toEqual([
      [0, 1, 95, 'stop_loss'],
    ]);
    expect(exitsOf(run({ bars, signals: [1, 0], execution: { trailing_stop_pct: 5, stop_loss_pct: 5 } }))).toEqual([
      [0, 1, 95, 'stop_loss'],
    ]);
    expect(exitsOf(run({ bars, signals: [1, 0], execution: { trailing_stop_pct: 5, stop_loss_pct: 8 } }))).toEqual([
      [0, 1, 95, 'trailing_stop'],
    ]);
  });

  it('trails the lows of a short', () => {
    // short at 100, 10 % trail: bar 1 falls to 80 (stop still 110), bar 2 is tested against 88 and rises to 90
    const bars = afterEntryAt100([95, 96, 80, 85], [85, 90, 84, 89]);
    const result = run({ bars, signals: [1, 0, 0], execution: { trailing_stop_pct: 10, direction: 'short' } });
    expect(exitsOf(result)).toEqual([[0, 2, 80 * (1 + 10 / 100), 'trailing_stop']]);
  });
});

describe('exits at the close', () => {
  it('closes at max_hold_bars when nothing else fires, and max_hold wins a tie with hold_period_bars', () => {
    const bars = closesOnly([100, 101, 102, 103, 104]);
    expect(exitsOf(run({ bars, signals: [1, 0, 0, 0, 0], hold: 0, execution: { max_hold_bars: 2 } }))).toEqual([[0, 2, 102, 'max_hold']]);
    expect(exitsOf(run({ bars, signals: [1, 0, 0, 0, 0], hold: 3, execution: { max_hold_bars: 2 } }))).toEqual([[0, 2, 102, 'max_hold']]);
    expect(exitsOf(run({ bars, signals: [1, 0, 0, 0, 0], hold: 2, execution: { max_hold_bars: 2 } }))).toEqual([[0, 2, 102, 'max_hold']]);
    expect(exitsOf(run({ bars, signals: [1, 0, 0, 0, 0], hold: 1, execution: { max_hold_bars: 2 } }))).toEqual([[0, 1, 101, 'hold']]);
  });

  it('closes on an exit signal, which wins over hold and max_hold on the same bar', () => {
    const bars = closesOnly([100, 101, 102, 103, 104]);
    expect(exitsOf(run({ bars, signals: [1, 0, 0, 0, 0], exits: [0, 0, 0, 1, 0] }))).toEqual([[0, 3, 103, 'signal']]);
    const coinciding = run({ bars, signals: [1, 0, 0, 0, 0], exits: [0, 0, 1, 0, 0], hold: 2, execution: { max_hold_bars: 2 } });
    expect(exitsOf(coinciding)).toEqual([[0, 2, 102, 'signal']]);
  });

  it('ignores an exit signal on the entry bar and while flat, and reopens on an entry signal of the exit bar', () => {
    const bars = closesOnly([100, 101, 102, 103, 104]);
    const result = run({ bars, signals: [0, 1, 0, 1, 0], exits: [1, 1, 0, 1, 0] });
    expect(exitsOf(result)).toEqual([
      [1, 3, 103, 'signal'],
      [3, -1, NaN, 'end_of_data'],
    ]);
  });

  it('holds until the end of the data with hold_period_bars 0 and no other rule', () => {
    const result = run({ bars: closesOnly([100, 110, 120]), signals: [1, 0, 0], hold: 0 });
    expect(exitsOf(result)).toEqual([[0, -1, NaN, 'end_of_data']]);
    expect(result.trades.returnPct[0]).toBe(20);
  });
});

describe('short positions', () => {
  it('profits when the price falls: return, equity and the curve marked to the close', () => {
    // 10 units sold at 100, bought back at 90 two bars later; equity = cash - 10 * close
    const result = run({ bars: closesOnly([100, 110, 90, 95]), signals: [1, 0, 0, 0], hold: 2, execution: { direction: 'short' } });
    expect(tradeRowsWithExitReasons(result.trades)).toEqual([
      {
        entryIndex: 0,
        exitIndex: 2,
        entryPrice: 100,
        exitPrice: 90,
        quantity: 10,
        returnPct: 10,
        holdBars: 2,
        feeAmount: 0,
        slippageAmount: 0,
        exitReason: 'hold',
      },
    ]);
    expect(Array.from(result.curve.equity)).toEqual([1000, 900, 1100, 1100]);
    expect(result.trades.direction).toBe('short');
  });

  it('sells lower and buys back higher by the slippage, with fees on both fills', () => {
    const execution = { initial_capital: 10_000, position_size: 0.5, fee_rate: 0.001, slippage_bps: 10, direction: 'short' as const };
    const result = run({ bars: closesOnly([100, 90]), signals: [1, 0], hold: 1, execution });
    const entryFill = 100 * (1 - 0.001);
    const quantity = (10_000 * 0.5) / (entryFill * (1 + 0.001));
    const entryFee = quantity * entryFill * 0.001;
    const exitFill = 90 * (1 + 0.001);
    const exitFee = quantity * exitFill * 0.001;
    expect(tradeRows(result.trades)).toEqual([
      {
        entryIndex: 0,
        exitIndex: 1,
        entryPrice: entryFill,
        exitPrice: exitFill,
        quantity,
        returnPct: ((quantity * entryFill - entryFee - quantity * exitFill - exitFee) / (quantity * entryFill + entryFee)) * 100,
        holdBars: 1,
        feeAmount: entryFee + exitFee,
        slippageAmount: quantity * 100 * 0.001 + quantity * 90 * 0.001,
      },
    ]);
    expectClose(result.curve.equity[1], 10_000 + quantity * entryFill - entryFee - quantity * exitFill - exitFee);
  });

  it('stops out above the entry and takes profit below it', () => {
    const short = { direction: 'short' as const, stop_loss_pct: 5, take_profit_pct: 10 };
    expect(exitsOf(run({ bars: afterEntryAt100([101, 106, 99, 104]), signals: [1, 0], execution: short }))).toEqual([
      [0, 1, 105, 'stop_loss'],
    ]);
    expect(exitsOf(run({ bars: afterEntryAt100([98, 99, 89, 92]), signals: [1, 0], execution: short }))).toEqual([
      [0, 1, 90, 'take_profit'],
    ]);
    expect(exitsOf(run({ bars: afterEntryAt100([107, 108, 104, 105]), signals: [1, 0], execution: short }))).toEqual([
      [0, 1, 107, 'stop_loss'],
    ]);
  });

  it('marks an open short at the end net of the buy-back it would take there', () => {
    const execution = { fee_rate: 0.01, slippage_bps: 100, direction: 'short' as const };
    const result = run({ bars: closesOnly([100, 90]), signals: [1, 0], execution });
    const entryFill = 99;
    const quantity = 1000 / (entryFill * 1.01);
    const entryFee = quantity * entryFill * 0.01;
    const markFill = 90 * 1.01;
    const markFee = quantity * markFill * 0.01;
    expect(result.trades.exitReason[0]).toBe(exitReasonCode.end_of_data);
    expect(result.trades.returnPct[0]).toBe(
      ((quantity * entryFill - entryFee - quantity * markFill - markFee) / (quantity * entryFill + entryFee)) * 100,
    );
    expect(result.curve.equity[1]).toBe(1000 - (-(quantity * entryFill) + entryFee) - quantity * 90);
  });

  it('takes no new trade once a short has lost the whole account', () => {
    // short at 100, the price quadruples: equity 1000 - 10 * 400 < 0 after the exit; the next signal is skipped
    const result = run({ bars: closesOnly([100, 400, 400]), signals: [1, 1, 1], hold: 1, execution: { direction: 'short' } });
    expect(exitsOf(result)).toEqual([[0, 1, 400, 'hold']]);
    expect(Array.from(result.curve.equity)).toEqual([1000, -2000, -2000]);
  });
});

describe('runStrategyBacktest', () => {
  it('asks a strategy with exitsInto for its exit signals and hands them to the simulator', () => {
    const everyThirdBar = defineStrategy({
      id: 'test_every_third_bar',
      description: 'Enters on bars 0, 3, 6, ... and exits on bars 2, 5, 8, ...',
      paramsSchema: z.object({ hold_period_bars: holdPeriodBarsSchema }),
      signalsInto: (candles, _params, out) => {
        for (let i = 0; i < candles.length; i++) out[i] = i % 3 === 0 ? 1 : 0;
        return Math.ceil(candles.length / 3);
      },
      exitsInto: (candles, _params, out) => {
        for (let i = 0; i < candles.length; i++) out[i] = i % 3 === 2 ? 1 : 0;
        return Math.floor((candles.length + 1) / 3);
      },
    });
    const params = { ...executionParamsSchema.parse({}), hold_period_bars: 0 };
    const output = runStrategyBacktest(candlesFromBars(closesOnly([1, 2, 3, 4, 5, 6, 7])), everyThirdBar, params, { periodsPerYear: 365 });
    expect(Array.from(output.exitSignals!)).toEqual([0, 0, 1, 0, 0, 1, 0]);
    expect(exitsOf({ trades: output.trades, curve: output.curve }).map(([entry, exit, , reason]) => [entry, exit, reason])).toEqual([
      [0, 2, 'signal'],
      [3, 5, 'signal'],
      [6, -1, 'end_of_data'],
    ]);
  });
});

const forEveryScenario = (check: (scenario: ExitScenario) => void) => fc.assert(fc.property(exitScenario, check), { numRuns: 300 });

describe('exit rules, properties on random bars and rules', () => {
  it('match the independent plain-objects reference exactly', () => {
    forEveryScenario((scenario) => {
      const { bars, signals, exits, holdPeriodBars, execution, rules } = scenario;
      const result = simulateScenario(scenario);
      const reference = referenceExitSimulation(bars, signals, exits, holdPeriodBars, execution, rules);
      expect(tradeRowsWithExitReasons(result.trades)).toEqual(reference.trades);
      expect(Array.from(result.curve.equity)).toEqual(reference.equity);
    });
  });

  it('never fill a stop better than its level, nor a take-profit worse than its level', () => {
    forEveryScenario((scenario) => {
      const { bars, execution, rules } = scenario;
      const { trades } = simulateScenario(scenario);
      const s = execution.slippage_bps / 1e4;
      const long = rules.direction === 'long';
      // the level moved by the exit's slippage: a long sells at level * (1 - s), a short buys back at level * (1 + s)
      const exitSlippage = long ? 1 - s : 1 + s;
      for (const trade of tradeRowsWithExitReasons(trades)) {
        const { entryPrice, entryIndex, exitIndex, exitPrice, exitReason } = trade;
        let best = entryPrice;
        for (let t = entryIndex + 1; t < exitIndex; t++) best = long ? Math.max(best, bars[t].high) : Math.min(best, bars[t].low);
        const stopLevel =
          exitReason === 'stop_loss'
            ? entryPrice * (long ? 1 - rules.stop_loss_pct! / 100 : 1 + rules.stop_loss_pct! / 100)
            : best * (long ? 1 - rules.trailing_stop_pct! / 100 : 1 + rules.trailing_stop_pct! / 100);
        if (exitReason === 'stop_loss' || exitReason === 'trailing_stop') {
          if (long) expect(exitPrice).toBeLessThanOrEqual(stopLevel * exitSlippage);
          else expect(exitPrice).toBeGreaterThanOrEqual(stopLevel * exitSlippage);
        }
        if (exitReason === 'take_profit') {
          const target = entryPrice * (long ? 1 + rules.take_profit_pct! / 100 : 1 - rules.take_profit_pct! / 100);
          if (long) expect(exitPrice).toBeGreaterThanOrEqual(target * exitSlippage);
          else expect(exitPrice).toBeLessThanOrEqual(target * exitSlippage);
        }
      }
    });
  });

  it('keep equity equal to the cash and the position marked to the close at every bar, rebuilt from the trades', () => {
    forEveryScenario((scenario) => {
      const { bars, execution, rules } = scenario;
      const { trades, curve } = simulateScenario(scenario);
      const sign = rules.direction === 'long' ? 1 : -1;
      const rows = tradeRows(trades);
      let cash = execution.initial_capital;
      let k = 0;
      let held: (typeof rows)[number] | null = null;
      bars.forEach((bar, t) => {
        // cash moves at fills only: exit first, then an entry on the same bar
        if (held !== null && held.exitIndex === t) {
          const exitValue = held.quantity * held.exitPrice;
          cash += sign * exitValue - exitValue * execution.fee_rate;
          held = null;
        }
        if (k < rows.length && rows[k].entryIndex === t) {
          held = rows[k++];
          const entryValue = held.quantity * held.entryPrice;
          cash -= sign * entryValue + entryValue * execution.fee_rate;
        }
        expectClose(curve.equity[t], cash + (held === null ? 0 : sign * held.quantity * bar.close), 1e-9);
      });
      expect(k).toBe(rows.length);
    });
  });

  it('never open and close a trade on one bar, nor reopen on the bar of an intrabar exit', () => {
    const intrabar = new Set(['stop_loss', 'take_profit', 'trailing_stop']);
    forEveryScenario((scenario) => {
      const rows = tradeRowsWithExitReasons(simulateScenario(scenario).trades);
      rows.forEach((trade, k) => {
        if (trade.exitIndex >= 0) expect(trade.exitIndex).toBeGreaterThan(trade.entryIndex);
        else expect([k, trade.exitReason]).toEqual([rows.length - 1, 'end_of_data']);
        const next = rows[k + 1];
        if (next === undefined) return;
        if (intrabar.has(trade.exitReason)) expect(next.entryIndex).toBeGreaterThan(trade.exitIndex);
        else expect(next.entryIndex).toBeGreaterThanOrEqual(trade.exitIndex);
      });
    });
  });

  it('reduce to the simulator of DESIGN.md section 5 with the default rules, on any bars', () => {
    forEveryScenario(({ bars, signals, holdPeriodBars, execution }) => {
      const hold = Math.max(holdPeriodBars, 1);
      const defaults = executionParamsSchema.parse(execution);
      const result = simulate(candlesFromBars(bars), Uint8Array.from(signals), hold, defaults);
      const today = referenceSimulation(bars, signals, hold, execution);
      const withDefaults = referenceExitSimulation(bars, signals, null, hold, execution, noExitRules);
      expect(tradeRows(result.trades)).toEqual(today.trades);
      expect(Array.from(result.curve.equity)).toEqual(today.equity);
      expect(Array.from(result.curve.drawdown)).toEqual(today.drawdown);
      expect(tradeRowsWithExitReasons(result.trades)).toEqual(withDefaults.trades);
    });
  });
});

/** The first `rows` values of a typed column, as a view. */
function firstRows(column: ArrayBufferView, rows: number): ArrayBufferView {
  const bytesPerValue = (column as Uint8Array).BYTES_PER_ELEMENT;
  return new Uint8Array(column.buffer, column.byteOffset, rows * bytesPerValue);
}

describe('simulateInto and summarizeInto', () => {
  it('reproduce simulate and summarize bit for bit in buffers reused run after run', () => {
    // one set of buffers, filled with garbage, for every scenario (80 bars at most)
    const reused = allocateSimulation(80);
    for (const column of [...Object.values(reused.trades), ...Object.values(reused.curve)]) {
      if (ArrayBuffer.isView(column)) new Uint8Array(column.buffer).fill(0xa5);
    }
    const summaries = allocateSummaryColumns(3);
    fc.assert(
      fc.property(exitScenario, (scenario) => {
        const { bars, signals, exits, holdPeriodBars, execution, rules } = scenario;
        const expected = simulateScenario(scenario);
        const candles = candlesFromBars(bars);
        const exitSignals = exits === null ? null : Uint8Array.from(exits);
        simulateInto(candles, Uint8Array.from(signals), holdPeriodBars, { ...execution, ...rules }, exitSignals, reused);
        const count = expected.trades.count;
        expect(reused.trades.count).toBe(count);
        expect(reused.trades.direction).toBe(rules.direction);
        expect(reused.curve.length).toBe(bars.length);
        const inUse = (columns: object, rows: number) =>
          Object.fromEntries(
            Object.entries(columns).map(([name, column]) => [name, ArrayBuffer.isView(column) ? firstRows(column, rows) : column]),
          );
        expect(columnsAsHex(inUse(reused.trades, count), inUse(reused.curve, bars.length))).toEqual(
          columnsAsHex(inUse(expected.trades, count), expected.curve),
        );
        summarizeInto(candles, reused.trades, reused.curve, execution.initial_capital, 8760, summaries, 2);
        expect(summaryOfRow(summaries, 2)).toEqual(summarize(candles, expected.trades, expected.curve, execution.initial_capital, 8760));
      }),
      { numRuns: 300 },
    );
  });

  it('store a null metric as NaN and read it back as null', () => {
    const candles = candlesFromBars(closesOnly([100, 100, 100]));
    const simulation = simulate(candles, Uint8Array.from([0, 0, 0]), 1, noCosts);
    const summaries = allocateSummaryColumns(1);
    summarizeInto(candles, simulation.trades, simulation.curve, 1000, 365, summaries, 0);
    expect(Array.from(summaryMetrics, (metric) => summaries[metric][0])).toEqual([
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      NaN,
      NaN,
      NaN,
      NaN,
      0,
      0,
      0,
    ]);
    expect(summaryOfRow(summaries, 0)).toMatchObject({ sharpe: null, sortino: null, profit_factor: null, expectancy: null, cagr: 0 });
  });

  it('refuse buffers too small for the run, saying how much room is needed', () => {
    const candles = candlesFromBars(closesOnly([1, 2, 3, 4]));
    const signals = Uint8Array.from([1, 0, 1, 1]);
    const small = { trades: allocateTrades(2), curve: allocateEquityCurve(4) };
    expect(() => simulateInto(candles, signals, 1, noCosts, null, small)).toThrow(
      'simulateInto: the trade columns have room for 2 trades, expected at least 3 (the signal bars)',
    );
    const short = { trades: allocateTrades(4), curve: allocateEquityCurve(3) };
    expect(() => simulateInto(candles, signals, 1, noCosts, null, short)).toThrow(
      'simulateInto: the curve has room for 3 bars, expected at least 4',
    );
    // room for the three signal bars is enough
    simulateInto(candles, signals, 1, noCosts, null, { trades: allocateTrades(3), curve: allocateEquityCurve(4) });
  });
});
