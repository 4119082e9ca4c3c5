import { exitLevelFactors } from './exitLevels';
import { exitReasonCode, type Candles, type EquityCurve, type ExecutionParams, type SimulatedTrades } from './types';

/**
 * Signals -> trades and the per-bar equity curve (DESIGN.md sections 5 and 14; every rule with a worked example
 * in docs/metrics.md). One position at a time, long or short; entries fill at the signal bar's close.
 *
 * Each bar t, in this order:
 * 1. Intrabar exits of a position opened before t (stop-loss, take-profit, trailing stop), from the bar's open,
 *    high and low: a bar that opens beyond a level fills at its open, a level inside the bar fills at the level,
 *    and a bar that holds both a stop and the take-profit takes the stop (the adverse case).
 * 2. Exits at the close, first that applies: an exit signal, then max_hold_bars, then hold_period_bars.
 * 3. An entry signal opens a position if none is open, unless an intrabar exit closed one on this bar (an exit at
 *    the close may be followed by a new entry on the same bar, as DESIGN.md section 5 has it).
 * 4. Equity is marked to the close: cash + signed quantity * close (negative quantity for a short).
 *
 * Choices DESIGN.md leaves open:
 * - `equity[i]` in the quantity formula is the equity before the entry, i.e. the cash (no position is open); an
 *   entry needs positive cash (a short can lose more than the account; it is not liquidated, as backtesting.py
 *   would, but no new trade can be sized once the cash is gone).
 * - The drawdown peak starts at initial_capital (the equity before bar 0), as in backtesting.py.
 * - The trailing stop's best price is the entry fill and the highs (a short: the lows) of the bars after the
 *   entry bar and before the current one: a bar's own extreme never moves the stop it is tested against.
 * - A trade still open at the end of the data: exitIndex -1, exitPrice NaN, holdBars = bars held so far
 *   (last bar - entry bar), feeAmount and slippageAmount = the entry side only (what was paid), and
 *   returnPct marked to the last close net of the exit it would take there: the close moved adversely by the
 *   slippage and the exit fee on it, so it compares with closed trades. The curve marks it at the plain last close.
 */

const SIGNAL = exitReasonCode.signal;
const HOLD = exitReasonCode.hold;
const STOP_LOSS = exitReasonCode.stop_loss;
const TAKE_PROFIT = exitReasonCode.take_profit;
const TRAILING_STOP = exitReasonCode.trailing_stop;
const MAX_HOLD = exitReasonCode.max_hold;
const END_OF_DATA = exitReasonCode.end_of_data;
const NO_EXIT = -1;

/** Trades columns with room for `capacity` trades and count 0. */
export function allocateTrades(capacity: number, direction: SimulatedTrades['direction'] = 'long'): SimulatedTrades {
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
    exitReason: new Uint8Array(capacity),
    direction,
  };
}

/** A curve of `length` bars; `simulateInto` sets `length` to the bars it wrote, so a longer one can be reused. */
export function allocateEquityCurve(length: number): EquityCurve {
  return {
    length,
    equity: new Float64Array(length),
    drawdown: new Float64Array(length),
    cumulativePnl: new Float64Array(length),
    cumulativePnlPct: new Float64Array(length),
  };
}

/**
 * Buffers for `simulateInto`, reusable run after run: trade columns with room for `barCount` trades (no run of
 * `barCount` bars has more) and a curve of `barCount` bars.
 */
export function allocateSimulation(barCount: number): Simulation {
  return { trades: allocateTrades(barCount), curve: allocateEquityCurve(barCount) };
}

export interface Simulation {
  trades: SimulatedTrades;
  curve: EquityCurve;
}

/**
 * Net trade return in %, fees included, per DESIGN.md: long (q*P_out - exit fee - q*P_in - entry fee) / (q*P_in + entry fee),
 * short (q*P_in - entry fee - q*P_out - exit fee) / (q*P_in + entry fee); `entryValue` = q*P_in, `exitValue` = q*P_out.
 */
function netReturnPct(sign: number, entryValue: number, entryFee: number, exitValue: number, exitFee: number): number {
  return sign > 0
    ? ((exitValue - exitFee - entryValue - entryFee) / (entryValue + entryFee)) * 100
    : ((entryValue - entryFee - exitValue - exitFee) / (entryValue + entryFee)) * 100;
}

/**
 * `exitSignals` (optional) closes an open position at the close of each bar where it is non-zero. `holdPeriodBars`
 * 0 holds a position until another rule closes it (or the data ends). Allocates the result; `simulateInto` reuses one.
 */
export function simulate(
  candles: Candles,
  signals: Uint8Array,
  holdPeriodBars: number,
  execution: ExecutionParams,
  exitSignals: Uint8Array | null = null,
): Simulation {
  // trades never outnumber signals: count them to size the trade columns once
  const out: Simulation = { trades: allocateTrades(countSignals(signals, candles.length)), curve: allocateEquityCurve(candles.length) };
  simulateWithRoom(candles, signals, holdPeriodBars, execution, exitSignals, out);
  return out;
}

/**
 * `simulate` into buffers the caller owns (see `allocateSimulation`), for runs one after another without allocating:
 * writes trades [0, count) and curve bars [0, candles.length), sets `trades.count`, `trades.direction` and
 * `curve.length`, and leaves whatever lies beyond untouched. The trade columns need room for every trade: at least the
 * number of signal bars (`candles.length` always suffices); the curve columns at least `candles.length` bars.
 */
export function simulateInto(
  candles: Candles,
  signals: Uint8Array,
  holdPeriodBars: number,
  execution: ExecutionParams,
  exitSignals: Uint8Array | null,
  out: Simulation,
): void {
  checkRoom(signals, candles.length, out);
  simulateWithRoom(candles, signals, holdPeriodBars, execution, exitSignals, out);
}

function countSignals(signals: Uint8Array, barCount: number): number {
  let signalCount = 0;
  // one per non-zero bar
  for (let t = 0; t < barCount; t++) signalCount += signals[t] === 0 ? 0 : 1;
  return signalCount;
}

function checkRoom(signals: Uint8Array, barCount: number, { trades, curve }: Simulation): void {
  if (curve.equity.length < barCount) {
    throw new RangeError(`simulateInto: the curve has room for ${curve.equity.length} bars, expected at least ${barCount}`);
  }
  const capacity = trades.entryIndex.length;
  // fewer trade rows than bars are enough only if the signal bars are no more than the rows
  const signalCount = capacity < barCount ? countSignals(signals, barCount) : 0;
  if (signalCount > capacity) {
    throw new RangeError(
      `simulateInto: the trade columns have room for ${capacity} trades, expected at least ${signalCount} (the signal bars)`,
    );
  }
}

/** The simulation proper; `out` has room for every trade and bar (the callers check or size it). */
function simulateWithRoom(
  candles: Candles,
  signals: Uint8Array,
  holdPeriodBars: number,
  execution: ExecutionParams,
  exitSignals: Uint8Array | null,
  out: Simulation,
): void {
  const barCount = candles.length;
  const { open, high, low, close } = candles;
  const { trades, curve } = out;
  const direction = execution.direction ?? 'long';
  trades.direction = direction;
  curve.length = barCount;
  const { equity, drawdown, cumulativePnl, cumulativePnlPct } = curve;
  // the columns in locals: the loop then loads them once, not at every write
  const {
    entryIndex,
    exitIndex,
    entryPrice,
    exitPrice,
    quantity: quantityColumn,
    returnPct,
    holdBars,
    feeAmount,
    slippageAmount,
    exitReason: exitReasonColumn,
  } = trades;
  const initialCapital = execution.initial_capital;
  const positionSize = execution.position_size;
  const feeRate = execution.fee_rate;
  const slippage = execution.slippage_bps / 1e4;
  // +1 long, -1 short: the sign of the position's quantity; `sign * (price - level) <= 0` reads "price at or beyond a
  // stop level" for either side, and `sign * (price - level) >= 0` "at or beyond a take-profit level"
  const sign = direction === 'short' ? -1 : 1;
  const entrySlippageFactor = 1 + sign * slippage;
  const exitSlippageFactor = 1 - sign * slippage;
  const factors = exitLevelFactors(execution);
  const hasStopLoss = factors.stopLoss !== null;
  const hasTakeProfit = factors.takeProfit !== null;
  const hasTrailingStop = factors.trailingStop !== null;
  const hasIntrabarRules = hasStopLoss || hasTakeProfit || hasTrailingStop;
  const stopLossFactor = factors.stopLoss ?? 0;
  const takeProfitFactor = factors.takeProfit ?? 0;
  const trailingStopFactor = factors.trailingStop ?? 0;
  const maxHoldBars = execution.max_hold_bars ?? 0;
  // the close-time exit due by the clock: hold_period_bars or max_hold_bars after the entry, whichever comes first
  // (max_hold on a tie; 0 = none), as an offset from the entry bar
  const maxHoldFirst = maxHoldBars > 0 && (holdPeriodBars === 0 || maxHoldBars <= holdPeriodBars);
  const scheduledExitOffset = maxHoldFirst ? maxHoldBars : holdPeriodBars;
  const scheduledExitReason = maxHoldFirst ? MAX_HOLD : HOLD;

  let cash = initialCapital;
  let inPosition = false;
  // signed: negative for a short, 0 when flat
  let positionQuantity = 0;
  let quantity = 0;
  let entryBar = -1;
  let entryValue = 0;
  let entryFee = 0;
  // the bar of the clock's close-time exit of the open position, or -1
  let scheduledExitBar = -1;
  // levels of the open position: off is the infinity on the side the price never reaches
  let stopLossLevel = 0;
  let takeProfitLevel = 0;
  let bestPrice = 0;
  let tradeCount = 0;
  let peak = initialCapital;

  // each bar: exits of the open position (intrabar, then at the close), an entry on a signal, equity at the close
  for (let t = 0; t < barCount; t++) {
    if (!inPosition) {
      // flat: the curve holds the cash until the next bar that can open a position; fill that stretch at once
      let nextEntryBar = t;
      if (cash > 0) while (nextEntryBar < barCount && signals[nextEntryBar] === 0) nextEntryBar++;
      else nextEntryBar = barCount;
      if (nextEntryBar > t) {
        if (cash > peak) peak = cash;
        const flatDrawdown = ((peak - cash) / peak) * 100;
        const flatPnl = cash - initialCapital;
        const flatPnlPct = ((cash - initialCapital) / initialCapital) * 100;
        // (a plain loop: most flat stretches are short, where TypedArray.fill costs more than it saves)
        for (; t < nextEntryBar; t++) {
          equity[t] = cash;
          drawdown[t] = flatDrawdown;
          cumulativePnl[t] = flatPnl;
          cumulativePnlPct[t] = flatPnlPct;
        }
        if (t === barCount) break;
      }
    }
    const barClose = close[t];
    let closedIntrabar = false;
    if (inPosition) {
      let exitReason = NO_EXIT;
      let exitBasePrice = barClose;
      if (hasIntrabarRules) {
        // the tighter of the stop-loss and the trailing stop; ties count as the stop-loss
        let stopLevel = stopLossLevel;
        let stopReason = STOP_LOSS;
        if (hasTrailingStop) {
          const trailingLevel = bestPrice * trailingStopFactor;
          if (sign * (trailingLevel - stopLevel) > 0) {
            stopLevel = trailingLevel;
            stopReason = TRAILING_STOP;
          }
        }
        const barOpen = open[t];
        const adverseExtreme = sign > 0 ? low[t] : high[t];
        const favourableExtreme = sign > 0 ? high[t] : low[t];
        // a gap through a level fills at the open; within the bar the stop is assumed to come first
        if (sign * (barOpen - stopLevel) <= 0) {
          exitReason = stopReason;
          exitBasePrice = barOpen;
        } else if (sign * (barOpen - takeProfitLevel) >= 0) {
          exitReason = TAKE_PROFIT;
          exitBasePrice = barOpen;
        } else if (sign * (adverseExtreme - stopLevel) <= 0) {
          exitReason = stopReason;
          exitBasePrice = stopLevel;
        } else if (sign * (favourableExtreme - takeProfitLevel) >= 0) {
          exitReason = TAKE_PROFIT;
          exitBasePrice = takeProfitLevel;
        } else if (sign * (favourableExtreme - bestPrice) > 0) {
          bestPrice = favourableExtreme;
        }
        closedIntrabar = exitReason !== NO_EXIT;
      }
      if (exitReason === NO_EXIT) {
        if (exitSignals !== null && exitSignals[t] !== 0) exitReason = SIGNAL;
        else if (t === scheduledExitBar) exitReason = scheduledExitReason;
      }
      if (exitReason !== NO_EXIT) {
        const exitFill = exitBasePrice * exitSlippageFactor;
        const exitValue = quantity * exitFill;
        const exitFee = exitValue * feeRate;
        cash += sign * exitValue - exitFee;
        exitIndex[tradeCount] = t;
        exitPrice[tradeCount] = exitFill;
        returnPct[tradeCount] = netReturnPct(sign, entryValue, entryFee, exitValue, exitFee);
        holdBars[tradeCount] = t - entryBar;
        feeAmount[tradeCount] += exitFee;
        slippageAmount[tradeCount] += quantity * exitBasePrice * slippage;
        exitReasonColumn[tradeCount] = exitReason;
        tradeCount++;
        inPosition = false;
        positionQuantity = 0;
      }
    }
    if (!inPosition && !closedIntrabar && signals[t] !== 0 && cash > 0) {
      const entryFill = barClose * entrySlippageFactor;
      quantity = (cash * positionSize) / (entryFill * (1 + feeRate));
      entryValue = quantity * entryFill;
      entryFee = entryValue * feeRate;
      cash -= sign * entryValue + entryFee;
      inPosition = true;
      positionQuantity = sign * quantity;
      entryBar = t;
      scheduledExitBar = scheduledExitOffset > 0 ? t + scheduledExitOffset : -1;
      if (hasIntrabarRules) {
        stopLossLevel = hasStopLoss ? entryFill * stopLossFactor : -sign * Infinity;
        takeProfitLevel = hasTakeProfit ? entryFill * takeProfitFactor : sign * Infinity;
        bestPrice = entryFill;
      }
      entryIndex[tradeCount] = t;
      entryPrice[tradeCount] = entryFill;
      quantityColumn[tradeCount] = quantity;
      feeAmount[tradeCount] = entryFee;
      slippageAmount[tradeCount] = quantity * barClose * slippage;
    }
    const barEquity = cash + positionQuantity * barClose;
    if (barEquity > peak) peak = barEquity;
    equity[t] = barEquity;
    drawdown[t] = ((peak - barEquity) / peak) * 100;
    cumulativePnl[t] = barEquity - initialCapital;
    cumulativePnlPct[t] = ((barEquity - initialCapital) / initialCapital) * 100;
  }

  if (inPosition) {
    const lastBar = barCount - 1;
    const markValue = quantity * (close[lastBar] * exitSlippageFactor);
    exitIndex[tradeCount] = -1;
    exitPrice[tradeCount] = NaN;
    returnPct[tradeCount] = netReturnPct(sign, entryValue, entryFee, markValue, markValue * feeRate);
    holdBars[tradeCount] = lastBar - entryBar;
    exitReasonColumn[tradeCount] = END_OF_DATA;
    tradeCount++;
  }
  trades.count = tradeCount;
}
