import fc from 'fast-check';
import { exitLevelFactors, trailingStopLevelsInto } from '../../../src/engine/exitLevels';
import { exitScenario, simulateScenario } from './exitScenario';
import { tradeRowsWithExitReasons } from './helpers';

describe('exitLevelFactors', () => {
  it('puts a long stop below and its target above the entry, a short the other way round', () => {
    expect(exitLevelFactors({ direction: 'long', stop_loss_pct: 5, take_profit_pct: 10, trailing_stop_pct: 2 })).toEqual({
      stopLoss: 0.95,
      takeProfit: 1.1,
      trailingStop: 0.98,
    });
    expect(exitLevelFactors({ direction: 'short', stop_loss_pct: 5, take_profit_pct: 10, trailing_stop_pct: 2 })).toEqual({
      stopLoss: 1.05,
      takeProfit: 0.9,
      trailingStop: 1.02,
    });
  });

  it('gives null for the rules that are off', () => {
    expect(exitLevelFactors({ stop_loss_pct: null, take_profit_pct: undefined })).toEqual({
      stopLoss: null,
      takeProfit: null,
      trailingStop: null,
    });
  });
});

describe('trailingStopLevelsInto', () => {
  it("follows the best price of the bars before each bar, a bar's own extreme moving only the later levels", () => {
    const high = Float64Array.from([100, 104, 103, 110, 108]);
    const low = Float64Array.from([99, 101, 97, 104, 100]);
    const out = new Float64Array(5).fill(NaN);
    // entry at 100 on bar 0; best before bar 1: 100, before 2: 104, before 3: 104, before 4: 110
    trailingStopLevelsInto(high, low, 'long', 0, 4, 100, 0.9, out);
    expect(Array.from(out, (level) => Math.round(level * 1e9) / 1e9)).toEqual([NaN, 90, 93.6, 93.6, 99]);
    // a short trails the lows: best before bar 2: 100 (bar 1's low 101 is worse), before 3: 97
    trailingStopLevelsInto(high, low, 'short', 0, 3, 100, 1.1, out);
    expect(Array.from(out.subarray(1, 4), (level) => Math.round(level * 1e9) / 1e9)).toEqual([110, 110, 106.7]);
  });

  it('gives the levels at which the simulator filled every stop, trailing stop and take-profit, on random bars', () => {
    fc.assert(
      fc.property(exitScenario, (scenario) => {
        const { bars, execution, rules } = scenario;
        const sign = rules.direction === 'short' ? -1 : 1;
        const exitSlippage = 1 - (sign * execution.slippage_bps) / 1e4;
        const factors = exitLevelFactors(rules);
        const high = Float64Array.from(bars, (bar) => bar.high);
        const low = Float64Array.from(bars, (bar) => bar.low);
        const trailing = new Float64Array(bars.length);
        for (const trade of tradeRowsWithExitReasons(simulateScenario(scenario).trades)) {
          const { entryIndex, exitIndex, entryPrice, exitPrice, exitReason } = trade;
          if (!['stop_loss', 'trailing_stop', 'take_profit'].includes(exitReason)) continue;
          let level: number;
          if (exitReason === 'take_profit') level = entryPrice * factors.takeProfit!;
          else if (exitReason === 'stop_loss') level = entryPrice * factors.stopLoss!;
          else {
            trailingStopLevelsInto(high, low, rules.direction, entryIndex, exitIndex, entryPrice, factors.trailingStop!, trailing);
            level = trailing[exitIndex];
          }
          // a bar that opens beyond the level fills at its open
          const open = bars[exitIndex].open;
          const gapped = exitReason === 'take_profit' ? sign * (open - level) >= 0 : sign * (open - level) <= 0;
          expect(exitPrice).toBe((gapped ? open : level) * exitSlippage);
        }
      }),
      { numRuns: 300 },
    );
  });
});
