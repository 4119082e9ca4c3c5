/**
 * An independent, plain-objects implementation of the exit rules, the short side and the exit reasons
 * (DESIGN.md section 14 and docs/metrics.md), written from the documented rules for clarity, not speed.
 * Tests compare the simulator against it on random bars and rules; none of this code is shared with src/engine.
 */
import type { ExitReason } from '../../../src/engine/types';
import { referenceCurve, type Bar, type Execution, type ReferenceSimulation, type ReferenceTrade } from './reference';

export interface ExitRules {
  direction: 'long' | 'short';
  stop_loss_pct: number | null;
  take_profit_pct: number | null;
  trailing_stop_pct: number | null;
  max_hold_bars: number | null;
}

export const noExitRules: ExitRules = {
  direction: 'long',
  stop_loss_pct: null,
  take_profit_pct: null,
  trailing_stop_pct: null,
  max_hold_bars: null,
};

export interface ReferenceExitTrade extends ReferenceTrade {
  exitReason: ExitReason;
}

export interface ReferenceExitSimulation extends ReferenceSimulation {
  trades: ReferenceExitTrade[];
}

interface OpenPosition {
  entry: number;
  q: number;
  pIn: number;
  entryFee: number;
  /** Best price since the entry: the entry fill, then the highs (long) or lows (short) of the bars already past. */
  best: number;
}

interface Exit {
  reason: ExitReason;
  /** The price before slippage: a level, a gapping open or the close. */
  price: number;
}

export function referenceExitSimulation(
  bars: Bar[],
  entrySignals: number[],
  exitSignals: number[] | null,
  holdPeriodBars: number,
  execution: Execution,
  rules: ExitRules,
): ReferenceExitSimulation {
  const s = execution.slippage_bps / 1e4;
  const fee = execution.fee_rate;
  const long = rules.direction === 'long';
  // a long buys at entry and sells at exit; a short the other way round; slippage always hurts
  const buyFill = (price: number) => price * (1 + s);
  const sellFill = (price: number) => price * (1 - s);
  const entryFill = long ? buyFill : sellFill;
  const exitFill = long ? sellFill : buyFill;
  // "beyond a stop" is below it for a long, above it for a short; "beyond a target" the other way
  const beyondStop = (price: number, level: number) => (long ? price <= level : price >= level);
  const beyondTarget = (price: number, level: number) => (long ? price >= level : price <= level);
  const netReturn = (q: number, pIn: number, entryFee: number, pOut: number, exitFee: number) =>
    long
      ? ((q * pOut - exitFee - q * pIn - entryFee) / (q * pIn + entryFee)) * 100
      : ((q * pIn - entryFee - q * pOut - exitFee) / (q * pIn + entryFee)) * 100;

  const trades: ReferenceExitTrade[] = [];
  const equity: number[] = [];
  let cash = execution.initial_capital;
  let open: OpenPosition | null = null;

  /** The trade row of `position` closed at bar t by `exit`. */
  const closedTrade = (position: OpenPosition, t: number, exit: Exit): ReferenceExitTrade => {
    const pOut = exitFill(exit.price);
    const exitFee = position.q * pOut * fee;
    return {
      entryIndex: position.entry,
      exitIndex: t,
      entryPrice: position.pIn,
      exitPrice: pOut,
      quantity: position.q,
      returnPct: netReturn(position.q, position.pIn, position.entryFee, pOut, exitFee),
      holdBars: t - position.entry,
      feeAmount: position.entryFee + exitFee,
      slippageAmount: position.q * bars[position.entry].close * s + position.q * exit.price * s,
      exitReason: exit.reason,
    };
  };

  bars.forEach((bar, t) => {
    let closedWithinBar = false;
    if (open !== null) {
      const stops: { reason: ExitReason; level: number }[] = [];
      if (rules.stop_loss_pct !== null) {
        stops.push({ reason: 'stop_loss', level: open.pIn * (long ? 1 - rules.stop_loss_pct / 100 : 1 + rules.stop_loss_pct / 100) });
      }
      if (rules.trailing_stop_pct !== null) {
        const distance = rules.trailing_stop_pct / 100;
        stops.push({ reason: 'trailing_stop', level: open.best * (long ? 1 - distance : 1 + distance) });
      }
      // the stop reached first is the one nearest the price: the highest for a long; the stop-loss on a tie
      const stop = stops.reduce<(typeof stops)[number] | null>(
        (nearest, candidate) =>
          nearest === null || (long ? candidate.level > nearest.level : candidate.level < nearest.level) ? candidate : nearest,
        null,
      );
      const target =
        rules.take_profit_pct === null ? null : open.pIn * (long ? 1 + rules.take_profit_pct / 100 : 1 - rules.take_profit_pct / 100);
      const worstPrice = long ? bar.low : bar.high;
      const bestPrice = long ? bar.high : bar.low;
      let exit: Exit | null = null;
      if (stop !== null && beyondStop(bar.open, stop.level)) exit = { reason: stop.reason, price: bar.open };
      else if (target !== null && beyondTarget(bar.open, target)) exit = { reason: 'take_profit', price: bar.open };
      else if (stop !== null && beyondStop(worstPrice, stop.level)) exit = { reason: stop.reason, price: stop.level };
      else if (target !== null && beyondTarget(bestPrice, target)) exit = { reason: 'take_profit', price: target };
      closedWithinBar = exit !== null;
      const held = t - open.entry;
      if (exit === null && exitSignals !== null && exitSignals[t] === 1) exit = { reason: 'signal', price: bar.close };
      if (exit === null && rules.max_hold_bars !== null && held === rules.max_hold_bars) exit = { reason: 'max_hold', price: bar.close };
      if (exit === null && holdPeriodBars > 0 && held === holdPeriodBars) exit = { reason: 'hold', price: bar.close };
      if (exit !== null) {
        const trade = closedTrade(open, t, exit);
        const exitValue = trade.quantity * trade.exitPrice;
        cash += long ? exitValue - exitValue * fee : -exitValue - exitValue * fee;
        trades.push(trade);
        open = null;
      } else {
        open.best = long ? Math.max(open.best, bar.high) : Math.min(open.best, bar.low);
      }
    }
    if (open === null && !closedWithinBar && entrySignals[t] === 1 && cash > 0) {
      const pIn = entryFill(bar.close);
      const q = (cash * execution.position_size) / (pIn * (1 + fee));
      const entryFee = q * pIn * fee;
      cash += long ? -(q * pIn) - entryFee : q * pIn - entryFee;
      open = { entry: t, q, pIn, entryFee, best: pIn };
    }
    equity.push(cash + (open === null ? 0 : (long ? open.q : -open.q) * bar.close));
  });
  // the callback above assigns `open`, which TypeScript does not see: it would take `open` for null here
  const stillOpen = open as OpenPosition | null;
  if (stillOpen !== null) {
    // still open: the row of a close at the last close, without the exit's costs, which were never paid
    const marked = closedTrade(stillOpen, bars.length - 1, { reason: 'end_of_data', price: bars[bars.length - 1].close });
    trades.push({
      ...marked,
      exitIndex: -1,
      exitPrice: NaN,
      feeAmount: stillOpen.entryFee,
      slippageAmount: stillOpen.q * bars[stillOpen.entry].close * s,
    });
  }
  return { trades, ...referenceCurve(equity, execution.initial_capital) };
}
