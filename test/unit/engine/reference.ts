/**
 * Straightforward, independent implementations of the engine's semantics (DESIGN.md section 5),
 * written for clarity, not speed: plain arrays and objects, every figure recomputed from scratch.
 * Tests compare the engine against these; none of this code is shared with src/engine (only its types).
 */
import type { SymbolSummary } from '../../../src/engine/types';

export interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface ZoneParams {
  volume_window: number;
  top_percentile: number;
  breakout_buffer: number;
  num_bins: number;
  include_wicks: boolean;
}

/** The resistance of the window [i - volume_window, i), or null when the range is empty or holds no volume. */
export function referenceResistance(bars: Bar[], i: number, params: ZoneParams): number | null {
  const window = bars.slice(i - params.volume_window, i);
  const spanOf = (bar: Bar): [number, number] =>
    params.include_wicks ? [bar.low, bar.high] : [Math.min(bar.open, bar.close), Math.max(bar.open, bar.close)];
  const bottoms = window.map((bar) => spanOf(bar)[0]);
  const tops = window.map((bar) => spanOf(bar)[1]);
  const min = Math.min(...bottoms);
  const max = Math.max(...tops);
  if (min === max) return null;
  const binCount = params.num_bins;
  const width = (max - min) / binCount;
  // numpy.linspace edges: start + k * step, the last one exactly the stop
  const edges = Array.from({ length: binCount + 1 }, (_, k) => (k === binCount ? max : min + k * width));
  const bins = new Array<number>(binCount).fill(0);
  window.forEach((bar, index) => {
    const bottom = bottoms[index];
    const top = tops[index];
    if (top > bottom) {
      for (let k = 0; k < binCount; k++) {
        const overlap = Math.max(0, Math.min(top, edges[k + 1]) - Math.max(bottom, edges[k]));
        bins[k] += (bar.volume * overlap) / (top - bottom);
      }
    } else {
      let holder = 0;
      for (let k = 0; k < binCount; k++) if (edges[k] <= bottom) holder = k;
      bins[holder] += bar.volume;
    }
  });
  let total = 0;
  for (let k = binCount - 1; k >= 0; k--) total += bins[k];
  if (total === 0) return null;
  let running = 0;
  for (let k = binCount - 1; k >= 0; k--) {
    running += bins[k];
    if (running >= params.top_percentile * total) return edges[k];
  }
  throw new Error('unreachable: the running sum ends at the total');
}

export function referenceZoneSignals(bars: Bar[], params: ZoneParams): number[] {
  return bars.map((bar, i) => {
    if (i < params.volume_window) return 0;
    const resistance = referenceResistance(bars, i, params);
    return resistance !== null && bar.high >= resistance * (1 + params.breakout_buffer) ? 1 : 0;
  });
}

export interface LongCandleParams {
  vol_ma_window: number;
  vol_multiplier: number;
  body_pct: number;
}

export function referenceLongCandleSignals(bars: Bar[], params: LongCandleParams): number[] {
  return bars.map((bar, i) => {
    const window = bars.slice(Math.max(0, i - params.vol_ma_window + 1), i + 1);
    let sum = 0;
    for (const windowBar of window) sum += windowBar.volume;
    const volumeAverage = sum / window.length;
    const { open, high, low, close } = bar;
    const isSignal =
      bar.volume >= volumeAverage * params.vol_multiplier &&
      close > open &&
      (close - open) / open >= params.body_pct &&
      Math.max(high - close, 0) / open < 2 * params.body_pct &&
      Math.max(open - low, 0) / open < 2 * params.body_pct;
    return isSignal ? 1 : 0;
  });
}

export interface Execution {
  initial_capital: number;
  position_size: number;
  fee_rate: number;
  slippage_bps: number;
}

export interface ReferenceTrade {
  entryIndex: number;
  exitIndex: number;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  returnPct: number;
  holdBars: number;
  feeAmount: number;
  slippageAmount: number;
}

export interface ReferenceSimulation {
  trades: ReferenceTrade[];
  equity: number[];
  drawdown: number[];
  cumulativePnl: number[];
  cumulativePnlPct: number[];
}

export function referenceSimulation(bars: Bar[], signals: number[], holdPeriodBars: number, execution: Execution): ReferenceSimulation {
  const s = execution.slippage_bps / 1e4;
  const fee = execution.fee_rate;
  const trades: ReferenceTrade[] = [];
  const equity: number[] = [];
  let cash = execution.initial_capital;
  let open: { entry: number; exitAt: number; q: number; pIn: number; entryFee: number } | null = null;
  bars.forEach((bar, t) => {
    if (open !== null && open.exitAt === t) {
      const pOut = bar.close * (1 - s);
      const exitFee = open.q * pOut * fee;
      cash += open.q * pOut - exitFee;
      trades.push({
        entryIndex: open.entry,
        exitIndex: t,
        entryPrice: open.pIn,
        exitPrice: pOut,
        quantity: open.q,
        returnPct: ((open.q * pOut - exitFee - open.q * open.pIn - open.entryFee) / (open.q * open.pIn + open.entryFee)) * 100,
        holdBars: t - open.entry,
        feeAmount: open.entryFee + exitFee,
        slippageAmount: open.q * bars[open.entry].close * s + open.q * bar.close * s,
      });
      open = null;
    }
    if (open === null && signals[t] === 1) {
      const pIn = bar.close * (1 + s);
      const q = (cash * execution.position_size) / (pIn * (1 + fee));
      const entryFee = q * pIn * fee;
      cash -= q * pIn + entryFee;
      open = { entry: t, exitAt: t + holdPeriodBars, q, pIn, entryFee };
    }
    equity.push(cash + (open === null ? 0 : open.q * bar.close));
  });
  if (open !== null) {
    const { entry, q, pIn, entryFee } = open;
    const last = bars.length - 1;
    const pMark = bars[last].close * (1 - s);
    const markFee = q * pMark * fee;
    trades.push({
      entryIndex: entry,
      exitIndex: -1,
      entryPrice: pIn,
      exitPrice: NaN,
      quantity: q,
      returnPct: ((q * pMark - markFee - q * pIn - entryFee) / (q * pIn + entryFee)) * 100,
      holdBars: last - entry,
      feeAmount: entryFee,
      slippageAmount: q * bars[entry].close * s,
    });
  }
  return { trades, ...referenceCurve(equity, execution.initial_capital) };
}

/** The curve columns that follow from the equity: drawdown from the running peak (from the initial capital) and P&L. */
export function referenceCurve(equity: number[], initialCapital: number): Omit<ReferenceSimulation, 'trades'> {
  let peak = initialCapital;
  const drawdown = equity.map((value) => {
    peak = Math.max(peak, value);
    return ((peak - value) / peak) * 100;
  });
  const cumulativePnl = equity.map((value) => value - initialCapital);
  const cumulativePnlPct = cumulativePnl.map((pnl) => (pnl / initialCapital) * 100);
  return { equity, drawdown, cumulativePnl, cumulativePnlPct };
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** The summary, with backtesting.py's formulas written the way its _stats.py writes them. */
export function referenceSummary(
  bars: Bar[],
  simulation: ReferenceSimulation,
  initialCapital: number,
  periodsPerYear: number,
): SymbolSummary {
  const closed = simulation.trades.filter((trade) => trade.exitIndex >= 0);
  const returns = closed.map((trade) => trade.returnPct);
  const winners = returns.filter((value) => value > 0);
  const losses = returns.filter((value) => value < 0);
  const n = simulation.equity.length;
  const finalEquity = simulation.equity[n - 1];
  const barReturns = simulation.equity.map((value, t) => value / (t === 0 ? initialCapital : simulation.equity[t - 1]) - 1);
  const gmean = Math.exp(barReturns.reduce((sum, value) => sum + Math.log(1 + value), 0) / n) - 1;
  const annualReturn = (1 + gmean) ** periodsPerYear - 1;
  const returnMean = mean(barReturns);
  const variance = barReturns.reduce((sum, value) => sum + (value - returnMean) ** 2, 0) / (n - 1);
  const volatility = Math.sqrt((variance + (1 + gmean) ** 2) ** periodsPerYear - (1 + gmean) ** (2 * periodsPerYear));
  const downside = Math.sqrt(mean(barReturns.map((value) => Math.min(value, 0) ** 2))) * Math.sqrt(periodsPerYear);
  const held = new Array<number>(n).fill(0);
  for (const trade of simulation.trades) {
    const last = trade.exitIndex >= 0 ? trade.exitIndex : n - 1;
    for (let t = trade.entryIndex; t <= last; t++) held[t] = 1;
  }
  return {
    win_rate: closed.length ? (winners.length / closed.length) * 100 : 0,
    avg_return: closed.length ? mean(returns) : 0,
    max_return: closed.length ? Math.max(...returns) : 0,
    min_return: closed.length ? Math.min(...returns) : 0,
    max_drawdown: Math.max(0, ...simulation.drawdown),
    avg_hold_bars: closed.length ? mean(closed.map((trade) => trade.holdBars)) : 0,
    total_signals: simulation.trades.length,
    winning_signals: winners.length,
    losing_signals: closed.length - winners.length,
    total_pnl: finalEquity - initialCapital,
    total_pnl_pct: ((finalEquity - initialCapital) / initialCapital) * 100,
    sharpe: n > 1 && volatility > 0 ? finiteOrNull(annualReturn / volatility) : null,
    sortino: downside > 0 ? finiteOrNull(annualReturn / downside) : null,
    profit_factor: losses.length ? winners.reduce((a, b) => a + b, 0) / -losses.reduce((a, b) => a + b, 0) : null,
    expectancy: closed.length ? mean(returns) : null,
    exposure_pct: mean(held) * 100,
    cagr: finiteOrNull(((finalEquity / initialCapital) ** (periodsPerYear / n) - 1) * 100),
    buy_and_hold_return_pct: ((bars[n - 1].close - bars[0].close) / bars[0].close) * 100,
  };
}
