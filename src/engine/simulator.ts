import type { Candles, EquityCurve, ExecutionParams, Trades } from './types';

/**
 * Signals -> trades and the per-bar equity curve (DESIGN.md section 5, "Simulation"): long only,
 * one position at a time, fills at the close. At bar t an open position whose exit bar is t is closed
 * first, then a signal at t opens a new one if none is open (so an exit and a re-entry can share a bar).
 *
 * Choices DESIGN.md leaves open:
 * - `equity[i]` in the quantity formula is the equity before the entry, i.e. the cash (no position is open).
 * - The drawdown peak starts at initial_capital (the equity before bar 0), as in backtesting.py.
 * - A trade still open at the end of the data: exitIndex -1, exitPrice NaN, holdBars = bars held so far
 *   (last bar - entry bar), feeAmount and slippageAmount = the entry side only (what was paid), and
 *   returnPct marked to the last close net of the exit it would take there: fill close * (1 - s) and the
 *   exit fee on it, so it compares with closed trades. The curve marks it at the plain last close.
 */

/** Trades columns with room for `capacity` trades and count 0. */
function allocateTrades(capacity: number): Trades {
  return {
    count: 0,
    entryIndex: new Int32Array(capacity),
    exitIndex: new Int32Array(capacity),
    entryPrice: new Float64Array(capacity),
    exitPrice: new Float64Array(capacity),
    quantity: new Float64Array(capacity),
    returnPct: new Float64Array(capacity),
    holdBars: new Int32Array(capacity),
    feeAmount: new Float64Array(capacity),
    slippageAmount: new Float64Array(capacity),
  };
}

function allocateEquityCurve(length: number): EquityCurve {
  return {
    length,
    equity: new Float64Array(length),
    drawdown: new Float64Array(length),
    cumulativePnl: new Float64Array(length),
    cumulativePnlPct: new Float64Array(length),
  };
}

export interface Simulation {
  trades: Trades;
  curve: EquityCurve;
}

/** Net trade return in %, fees included, per DESIGN.md: (q*P_out - exit fee - q*P_in - entry fee) / (q*P_in + entry fee). */
function netReturnPct(proceeds: number, exitFee: number, cost: number, entryFee: number): number {
  return ((proceeds - exitFee - cost - entryFee) / (cost + entryFee)) * 100;
}

export function simulate(candles: Candles, signals: Uint8Array, holdPeriodBars: number, execution: ExecutionParams): Simulation {
  const barCount = candles.length;
  const close = candles.close;
  let signalCount = 0;
  // trades never outnumber signals: count them to size the trade columns once
  for (let t = 0; t < barCount; t++) signalCount += signals[t] === 0 ? 0 : 1;
  const trades = allocateTrades(signalCount);
  const curve = allocateEquityCurve(barCount);
  const { equity, drawdown, cumulativePnl, cumulativePnlPct } = curve;
  const initialCapital = execution.initial_capital;
  const positionSize = execution.position_size;
  const feeRate = execution.fee_rate;
  const slippage = execution.slippage_bps / 1e4;

  let cash = initialCapital;
  let quantity = 0;
  let entryBar = -1;
  let exitBar = -1;
  let entryCost = 0;
  let entryFee = 0;
  let tradeCount = 0;
  let peak = initialCapital;

  // each bar: close a position due now, open one on a signal, then mark equity to the close
  for (let t = 0; t < barCount; t++) {
    const barClose = close[t];
    if (t === exitBar) {
      const exitFill = barClose * (1 - slippage);
      const proceeds = quantity * exitFill;
      const exitFee = proceeds * feeRate;
      cash += proceeds - exitFee;
      trades.exitIndex[tradeCount] = t;
      trades.exitPrice[tradeCount] = exitFill;
      trades.returnPct[tradeCount] = netReturnPct(proceeds, exitFee, entryCost, entryFee);
      trades.holdBars[tradeCount] = t - entryBar;
      trades.feeAmount[tradeCount] += exitFee;
      trades.slippageAmount[tradeCount] += quantity * barClose * slippage;
      tradeCount++;
      quantity = 0;
      exitBar = -1;
    }
    if (exitBar === -1 && signals[t] !== 0) {
      const entryFill = barClose * (1 + slippage);
      quantity = (cash * positionSize) / (entryFill * (1 + feeRate));
      entryCost = quantity * entryFill;
      entryFee = entryCost * feeRate;
      cash -= entryCost + entryFee;
      entryBar = t;
      exitBar = t + holdPeriodBars;
      trades.entryIndex[tradeCount] = t;
      trades.entryPrice[tradeCount] = entryFill;
      trades.quantity[tradeCount] = quantity;
      trades.feeAmount[tradeCount] = entryFee;
      trades.slippageAmount[tradeCount] = quantity * barClose * slippage;
    }
    const barEquity = cash + quantity * barClose;
    if (barEquity > peak) peak = barEquity;
    equity[t] = barEquity;
    drawdown[t] = ((peak - barEquity) / peak) * 100;
    cumulativePnl[t] = barEquity - initialCapital;
    cumulativePnlPct[t] = ((barEquity - initialCapital) / initialCapital) * 100;
  }

  if (exitBar !== -1) {
    const lastBar = barCount - 1;
    const markFill = close[lastBar] * (1 - slippage);
    const markProceeds = quantity * markFill;
    trades.exitIndex[tradeCount] = -1;
    trades.exitPrice[tradeCount] = NaN;
    trades.returnPct[tradeCount] = netReturnPct(markProceeds, markProceeds * feeRate, entryCost, entryFee);
    trades.holdBars[tradeCount] = lastBar - entryBar;
    tradeCount++;
  }
  trades.count = tradeCount;
  return { trades, curve };
}
